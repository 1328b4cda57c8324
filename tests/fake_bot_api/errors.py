"""Telegram-shaped API errors.

Every failure the fake reports is raised as an :class:`ApiError` so that the HTTP layer can turn
it into the exact JSON envelope the real clients parse (``ok``/``error_code``/``description``/
``parameters``); anything else would test the clients' error handling against the wrong shape.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer of the Bot API, carrying the HTTP status and Telegram's description."""

    def __init__(
        self,
        error_code: int,
        description: str,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body

    @classmethod
    def bad_request(cls, detail: str) -> ApiError:
        """A 400 with Telegram's ``Bad Request:`` prefix."""
        return cls(400, f"Bad Request: {detail}")

    @classmethod
    def forbidden(cls, detail: str) -> ApiError:
        """A 403 with Telegram's ``Forbidden:`` prefix."""
        return cls(403, f"Forbidden: {detail}")

    @classmethod
    def too_many_requests(cls, retry_after: int) -> ApiError:
        """A 429 whose ``retry_after`` is a whole number of seconds, as Telegram sends it."""
        return cls(
            429,
            f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
        )


#: Descriptions Telegram (or the proxy in front of it) uses for bare HTTP failures.
STATUS_DESCRIPTIONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def error_for_status(status: int, retry_after: int | None = None) -> ApiError:
    """Build the error an injected failure with this status should produce."""
    if status == 429:
        return ApiError.too_many_requests(retry_after if retry_after is not None else 1)
    return ApiError(status, STATUS_DESCRIPTIONS.get(status, f"Error {status}"))
