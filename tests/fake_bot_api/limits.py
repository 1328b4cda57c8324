"""Telegram's content limits and flood control, as enforced by the fake.

The point of the fake is that a bot which passes its tests also passes Telegram: messages that
are too long, keyboards with oversized callback data and senders that ignore ``retry_after`` must
fail here the same way they would in production.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .errors import ApiError
from .formatting import ParsedText
from .spec import ApiSpec

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_TEXT = 200
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PLACEHOLDER_LENGTH = 64

_BUTTON_LAYOUT_FIELDS = frozenset({"text", "icon_custom_emoji_id", "style"})
_FALLBACK_INLINE_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_FALLBACK_KEYBOARD_REQUESTS = frozenset(
    {"request_users", "request_chat", "request_contact", "request_location", "request_poll"}
)


# --- text ---------------------------------------------------------------------------------------


def check_text(parsed: ParsedText) -> None:
    """Message text must be 1..4096 characters after entity parsing (and trimming)."""
    if not parsed.text:
        raise ApiError.bad_request("message text is empty")
    if len(parsed.text) > MAX_TEXT_LENGTH:
        raise ApiError.bad_request("message is too long")


def check_caption(parsed: ParsedText) -> None:
    """Captions may be empty but not longer than 1024 characters after parsing."""
    if len(parsed.text) > MAX_CAPTION_LENGTH:
        raise ApiError.bad_request("message caption is too long")


def check_callback_data(data: Any) -> None:
    """callback_data is 1..64 *bytes* of UTF-8: a few Chinese characters already fill it."""
    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise ApiError.bad_request("BUTTON_DATA_INVALID")


# --- reply markup -------------------------------------------------------------------------------


def _action_fields(spec: ApiSpec, type_name: str, fallback: frozenset[str]) -> frozenset[str]:
    fields = frozenset(spec.type_fields(type_name)) - _BUTTON_LAYOUT_FIELDS
    return fields or fallback


def _rows(markup: dict[str, Any], key: str) -> list[list[Any]]:
    rows = markup[key]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError.bad_request(f'field "{key}" of the markup must be an Array of Arrays')
    return rows


def _check_button_text(button: Any, what: str) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise ApiError.bad_request(f'can\'t parse {what} button: field "text" must be a String')
    if not button["text"].strip():
        raise ApiError.bad_request("BUTTON_TEXT_INVALID")


def _check_url(url: Any) -> None:
    parts = urlsplit(url) if isinstance(url, str) else None
    if (
        parts is None
        or parts.scheme not in ("http", "https", "tg")
        or not (parts.netloc or parts.scheme == "tg")
    ):
        raise ApiError.bad_request(f"inline keyboard button URL {url!r} is invalid: Wrong HTTP URL")


def _validate_inline(markup: dict[str, Any], spec: ApiSpec) -> None:
    actions = _action_fields(spec, "InlineKeyboardButton", _FALLBACK_INLINE_ACTIONS)
    for row in _rows(markup, "inline_keyboard"):
        for button in row:
            _check_button_text(button, "inline keyboard")
            used = [name for name in actions if button.get(name) not in (None, False)]
            if not used:
                raise ApiError.bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if len(used) > 1:
                raise ApiError.bad_request(
                    "can't parse inline keyboard button: exactly one of the optional fields "
                    f"must be used, got {sorted(used)}"
                )
            if "callback_data" in used:
                check_callback_data(button["callback_data"])
            if "url" in used:
                _check_url(button["url"])


def _validate_reply_keyboard(markup: dict[str, Any], spec: ApiSpec) -> None:
    requests = _action_fields(spec, "KeyboardButton", _FALLBACK_KEYBOARD_REQUESTS)
    for row in _rows(markup, "keyboard"):
        for button in row:
            if isinstance(button, str):
                button = {"text": button}
            _check_button_text(button, "keyboard")
            used = [name for name in requests if button.get(name) not in (None, False)]
            if len(used) > 1:
                raise ApiError.bad_request(
                    f"can't parse keyboard button: at most one optional field allowed, got {used}"
                )
    placeholder = markup.get("input_field_placeholder")
    if placeholder is not None and not 1 <= len(str(placeholder)) <= MAX_PLACEHOLDER_LENGTH:
        raise ApiError.bad_request("input field placeholder must be 1-64 characters")


def validate_reply_markup(
    markup: Any, spec: ApiSpec, *, inline_only: bool = False
) -> dict[str, Any]:
    """Check a reply_markup like Telegram does and return it (already JSON-decoded)."""
    if not isinstance(markup, dict):
        raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _validate_inline(markup, spec)
        return markup
    if inline_only:
        raise ApiError.bad_request("inline keyboard expected")
    if "keyboard" in markup:
        _validate_reply_keyboard(markup, spec)
    elif "remove_keyboard" in markup:
        if markup["remove_keyboard"] is not True:
            raise ApiError.bad_request('field "remove_keyboard" must be True')
    elif "force_reply" in markup:
        if markup["force_reply"] is not True:
            raise ApiError.bad_request('field "force_reply" must be True')
        placeholder = markup.get("input_field_placeholder")
        if placeholder is not None and not 1 <= len(str(placeholder)) <= MAX_PLACEHOLDER_LENGTH:
            raise ApiError.bad_request("input field placeholder must be 1-64 characters")
    else:
        raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
    return markup


# --- flood control ------------------------------------------------------------------------------

GLOBAL_SCOPE = "global"
Scope = str | int


@dataclass(frozen=True)
class RateLimitWindow:
    """A 429 that was issued: until ``until`` (monotonic) the scope must stay quiet."""

    scope: Scope
    start: float
    until: float
    retry_after: int
    method: str
    injected: bool = False


class SlidingWindow:
    """At most ``capacity`` events in any ``window`` seconds."""

    def __init__(self, capacity: int, window: float) -> None:
        self.capacity = capacity
        self.window = window
        self._stamps: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        """Seconds until one more event would be allowed (0 if allowed now)."""
        while self._stamps and self._stamps[0] <= now - self.window:
            self._stamps.popleft()
        if len(self._stamps) < self.capacity:
            return 0.0
        return self._stamps[0] + self.window - now

    def record(self, now: float) -> None:
        self._stamps.append(now)


def _window_for(rate: float, base_window: float, speed: float) -> tuple[int, float]:
    """Express "rate per base_window" as (capacity, window) with capacity >= 1."""
    if rate <= 0:
        raise ValueError("rates must be positive")
    capacity = max(1, math.floor(rate))
    return capacity, base_window * capacity / rate / speed


class RateLimiter:
    """Telegram's documented limits: global per second, per private chat, per group per minute.

    ``speed`` multiplies every rate so fast tests can run the same traffic shape in less time.
    Once a 429 is issued, its whole announced ``retry_after`` window is enforced for the scope,
    like Telegram's flood wait, and requests arriving inside it are counted as violations.
    """

    def __init__(
        self,
        global_per_second: float,
        private_per_second: float,
        group_per_minute: float,
        speed: float = 1.0,
        retry_after_override: int | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.retry_after_override = retry_after_override
        self._global = SlidingWindow(*_window_for(global_per_second, 1.0, speed))
        self._private_shape = _window_for(private_per_second, 1.0, speed)
        self._group_shape = _window_for(group_per_minute, 60.0, speed)
        self._chats: dict[int, SlidingWindow] = {}
        self.windows: list[RateLimitWindow] = []

    def _chat_window(self, chat_id: int) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            shape = self._private_shape if chat_id > 0 else self._group_shape
            window = self._chats[chat_id] = SlidingWindow(*shape)
        return window

    def active_window(self, chat_id: int, now: float) -> RateLimitWindow | None:
        """The latest-ending 429 window covering this chat (or everything) at ``now``."""
        active = [w for w in self.windows if w.until > now and w.scope in (GLOBAL_SCOPE, chat_id)]
        return max(active, key=lambda w: w.until, default=None)

    def acquire(self, chat_id: int, method: str, now: float) -> RateLimitWindow | None:
        """Record one message towards the limits, or return the new 429 window instead."""
        chat_window = self._chat_window(chat_id)
        global_wait = self._global.wait_time(now)
        chat_wait = chat_window.wait_time(now)
        if global_wait <= 0 and chat_wait <= 0:
            self._global.record(now)
            chat_window.record(now)
            return None
        scope: Scope = GLOBAL_SCOPE if global_wait >= chat_wait else chat_id
        wait = max(global_wait, chat_wait)
        retry_after = self.retry_after_override or max(1, math.ceil(wait))
        return self.open_window(scope, retry_after, method, now)

    def open_window(
        self, scope: Scope, retry_after: int, method: str, now: float, *, injected: bool = False
    ) -> RateLimitWindow:
        window = RateLimitWindow(scope, now, now + retry_after, retry_after, method, injected)
        self.windows.append(window)
        return window
