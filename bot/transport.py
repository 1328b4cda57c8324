"""The one thing the outbox sender needs from a driver: make a Bot API call; and the one rule
for what a failed call means, which both drivers and every caller of the Bot API share.

Errors, by what the sender does about them::

    DeliveryError
    ├── RetryAfter      429: pause all sending for ``seconds``, then retry
    ├── TransientError  anything else: retry with back-off
    │                   (``maybe_executed``: the request may have reached Telegram)
    ├── Unreachable     403, or a 400 saying the chat is gone (``CHAT_GONE``): the user
    │                   blocked the bot, the group removed it, was deleted or upgraded;
    │                   recorded, not retried
    ├── Rejected        400, 404, 413 in Telegram's words: the request can never succeed;
    │                   settled failed, and the chat's queue moves on
    │   └── TooBig      a file over the 20 MB a bot may download (getFile's 400, or the size
    │                   seen while downloading): the case file store refuses it
    └── Unauthorized    401: the token is wrong; the process stops with one line

Only an error answered by Telegram itself (its JSON envelope) can reject a request. An answer
in anybody else's words (a proxy's HTML page, an empty or cut-off body), no answer, or an
exception nobody listed is taken as transient: giving up on it would lose the message for
good, while retrying costs at most a duplicate of a request that did reach Telegram.
"""

from typing import Any, Protocol

__all__ = [
    "DeliveryError",
    "Downloader",
    "Rejected",
    "RetryAfter",
    "TooBig",
    "TransientError",
    "Transport",
    "Unauthorized",
    "Unreachable",
    "from_telegram",
    "without_answer",
]

NEVER_SUCCEEDS = frozenset({400, 404, 413})
"""Statuses with which Telegram refuses the request itself: sending it again changes nothing."""
CHAT_GONE = ("chat not found", "bot is not a member", "upgraded to a supergroup")
"""A 400 that means nobody can be reached at that chat id any more, as a 403 does."""
TOO_BIG = "file is too big"
"""getFile's 400 for a file over the download limit."""
DESCRIBED = 200
"""Characters of an unexpected failure kept for the log and the outbox row."""


class DeliveryError(Exception):
    pass


class RetryAfter(DeliveryError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class TransientError(DeliveryError):
    def __init__(self, description: str, *, maybe_executed: bool = False) -> None:
        super().__init__(description)
        self.maybe_executed = maybe_executed


class Unreachable(DeliveryError):
    pass


class Rejected(DeliveryError):
    pass


class TooBig(Rejected):
    pass


class Unauthorized(DeliveryError):
    def __init__(self, description: str) -> None:
        super().__init__(f"the Bot API refused BOT_TOKEN ({description}): check the token")


def from_telegram(
    status: int | None, description: str, retry_after: float | None = None
) -> DeliveryError:
    """What an error answer in Telegram's own JSON (``error_code``, ``description``) means;
    ``status`` None when the client did not keep it (then it is not one that rejects)."""
    if retry_after:
        return RetryAfter(retry_after)
    if status == 401:
        return Unauthorized(description)
    if status == 403 or (status == 400 and any(gone in description for gone in CHAT_GONE)):
        return Unreachable(description)
    if status == 400 and TOO_BIG in description.lower():
        return TooBig(description)
    if status in NEVER_SUCCEEDS:
        return Rejected(description)
    return TransientError(description if status is None else f"{status} {description}")


def without_answer(error: BaseException, *, maybe_executed: bool = True) -> TransientError:
    """Any failure without an answer in Telegram's words: transient. Only a caller that knows
    the request never left (a refused connection) says ``maybe_executed=False``."""
    said = " ".join(str(error).split())[:DESCRIBED]  # one log line, even for an HTML page
    return TransientError(f"{type(error).__name__}: {said}", maybe_executed=maybe_executed)


class Transport(Protocol):
    async def call(self, method: str, chat_id: int, payload: dict[str, Any]) -> int | None:
        """Perform ``method``; return the message id Telegram assigned, if any.

        Raises only ``DeliveryError``: every failure is classified by the rule above.
        """
        ...


class Downloader(Protocol):
    async def download(self, file_id: str) -> bytes:
        """getFile, then the file itself; ``TooBig`` past ``handlers.case_file.MAX_BYTES``.

        Raises only ``DeliveryError``, by the same rule as ``Transport.call``.
        """
        ...
