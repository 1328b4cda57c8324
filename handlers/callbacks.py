"""Button payloads: a verb and ids, packed and parsed in one place, never trusted.

Telegram caps callback data at 64 bytes; ``pack`` refuses anything longer so a bad payload is
caught when the message is built, not when Telegram rejects it.
"""

__all__ = ["LARGEST_ID", "MAX_BYTES", "CallbackDataError", "pack", "parse_id", "unpack"]

MAX_BYTES = 64
SEPARATOR = ":"
LARGEST_ID = 2**31 - 1
"""Every row a button names (case, consultation, survey, visit booking) has a 32-bit INTEGER
id (``tests/component/test_forged_buttons.py`` checks): a larger number is forged, not a missing
row, and PostgreSQL refuses it as a parameter rather than finding nothing."""


class CallbackDataError(ValueError):
    """Callback data that this bot could not have produced."""


def pack(*parts: str | int) -> str:
    texts = [str(part) for part in parts]
    if any(not text or SEPARATOR in text for text in texts):
        raise CallbackDataError(f"callback parts must be non-empty and free of ':': {texts}")
    data = SEPARATOR.join(texts)
    if len(data.encode()) > MAX_BYTES:
        raise CallbackDataError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None, *, prefix: str, size: int) -> tuple[str, ...]:
    """The parts after ``prefix``, exactly ``size`` of them, or CallbackDataError."""
    if not data or len(data.encode()) > MAX_BYTES:
        raise CallbackDataError("empty or oversized callback data")
    parts = tuple(data.split(SEPARATOR))
    if parts[0] != prefix or len(parts) != size + 1 or not all(parts):
        raise CallbackDataError(f"unexpected callback data {data!r}")
    return parts[1:]


def parse_id(text: str, *, largest: int = LARGEST_ID) -> int:
    """A number from a button — a row id, a page, a year — as a positive integer up to
    ``largest``, or CallbackDataError: the one parser for numbers in callback data, so none
    reaches the database (or ``int``) unchecked."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(largest)):
        raise CallbackDataError(f"not an id: {text[:20]!r}")
    number = int(text)
    if not 0 < number <= largest:
        raise CallbackDataError(f"not an id: {text!r}")
    return number
