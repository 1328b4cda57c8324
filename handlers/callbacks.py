"""Button payloads: a verb and ids, packed and parsed in one place, never trusted.

Telegram caps callback data at 64 bytes; ``pack`` refuses anything longer so a bad payload is
caught when the message is built, not when Telegram rejects it.
"""

__all__ = ["MAX_BYTES", "CallbackDataError", "pack", "unpack"]

MAX_BYTES = 64
SEPARATOR = ":"


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
