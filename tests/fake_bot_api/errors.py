"""Telegram-shaped API errors.

Every failure the fake reports is raised as an :class:`ApiError` so that the HTTP layer can turn
it into the exact JSON envelope the real clients parse (``ok``/``error_code``/``description``/
``parameters``); anything else would test the clients' error handling against the wrong shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
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


@dataclass(frozen=True)
class RawAnswer:
    """An answer given byte for byte, not in Telegram's words: what a proxy, a crash or a
    cut-off connection in front of Telegram can return, which clients must survive too."""

    status: int
    body: bytes
    content_type: str = "application/json"


NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    b"</body>\r\n</html>\r\n"
)

#: Answers nobody's error handling lists, by name (the fault matrix walks them all).
RAW_ANSWERS: dict[str, RawAnswer] = {
    "json 500": RawAnswer(500, json.dumps(error_for_status(500).payload()).encode()),
    "html 502": RawAnswer(502, NGINX_502, "text/html"),
    "empty 200": RawAnswer(200, b""),
    "truncated 200": RawAnswer(200, b'{"ok":true,"result":{"message_id":1,"da'),
    "wrong content type": RawAnswer(
        503, json.dumps(error_for_status(503).payload()).encode(), "text/plain"
    ),
}
