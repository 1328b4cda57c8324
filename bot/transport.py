"""The one thing the outbox sender needs from a driver: make a Bot API call.

Errors, by what the sender does about them::

    DeliveryError
    ├── RetryAfter      429: pause all sending for ``seconds``, then retry
    ├── TransientError  5xx or network: retry with back-off
    │                   (``maybe_executed``: the request may have reached Telegram)
    ├── Unreachable     403: the user blocked the bot or left; recorded, not retried
    └── Rejected        any other 4xx: the request itself is wrong; recorded, not retried
"""

from typing import Any, Protocol

__all__ = [
    "DeliveryError",
    "Rejected",
    "RetryAfter",
    "TransientError",
    "Transport",
    "Unreachable",
]


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


class Transport(Protocol):
    async def call(self, method: str, chat_id: int, payload: dict[str, Any]) -> int | None:
        """Perform ``method``; return the message id Telegram assigned, if any."""
        ...
