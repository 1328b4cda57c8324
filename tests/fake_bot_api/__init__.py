"""A strict local fake of the Telegram Bot API for end-to-end tests of the real clients."""

from .errors import NGINX_502, RAW_ANSWERS, ApiError, RawAnswer
from .formatting import ParsedText, parse_formatted, parse_html, utf16_len
from .limits import GLOBAL_SCOPE, RateLimiter, RateLimitWindow
from .records import (
    BotMessage,
    CallbackAnswer,
    ChatInfo,
    FakeStats,
    Mark,
    MessageVersion,
    RecordedRequest,
    StoredFile,
    WebhookAttempt,
)
from .server import FakeBotAPI, is_rate_limited_method, method_scope
from .spec import ApiSpec, UploadedFile, default_spec_path, load_spec
from .users import ClientMessage, FakeUser, MessageRef

__all__ = [
    "GLOBAL_SCOPE",
    "NGINX_502",
    "RAW_ANSWERS",
    "ApiError",
    "ApiSpec",
    "BotMessage",
    "CallbackAnswer",
    "ChatInfo",
    "ClientMessage",
    "FakeBotAPI",
    "FakeStats",
    "FakeUser",
    "Mark",
    "MessageRef",
    "MessageVersion",
    "ParsedText",
    "RateLimitWindow",
    "RateLimiter",
    "RawAnswer",
    "RecordedRequest",
    "StoredFile",
    "UploadedFile",
    "WebhookAttempt",
    "default_spec_path",
    "is_rate_limited_method",
    "load_spec",
    "method_scope",
    "parse_formatted",
    "parse_html",
    "utf16_len",
]
