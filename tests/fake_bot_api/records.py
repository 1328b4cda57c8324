"""What the fake remembers, shaped for assertions in tests.

Tests assert on what a user would have seen (messages, buttons, alerts) and on how the bot
behaved towards Telegram (requests, errors, retries), so both are kept as plain records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class ChatInfo:
    """A chat the fake knows about (from a user writing, or registered by a test)."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    def to_dict(self) -> JsonDict:
        chat: JsonDict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                chat[key] = value
        return chat


@dataclass(frozen=True)
class MessageVersion:
    """A previous state of an edited message."""

    text: str | None
    caption: str | None
    entities: list[JsonDict]
    reply_markup: JsonDict | None
    date: int


@dataclass(eq=False)
class BotMessage:
    """A message the bot sent, in its current (possibly edited) state.

    ``reply_markup`` keeps whatever markup was sent (reply keyboards too), even though the
    Message object returned by the API only carries inline keyboards.
    """

    chat: JsonDict
    message_id: int
    date: int
    sender: JsonDict
    method: str
    seq: int
    text: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JsonDict] = field(default_factory=list)
    source_text: str | None = None
    parse_mode: str | None = None
    reply_markup: JsonDict | None = None
    media: JsonDict = field(default_factory=dict)
    reply_to_message: JsonDict | None = None
    edit_date: int | None = None
    edit_seq: int | None = None
    history: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    @property
    def edited(self) -> bool:
        return bool(self.history)

    @property
    def photo(self) -> list[JsonDict] | None:
        return self.media.get("photo")

    @property
    def document(self) -> JsonDict | None:
        return self.media.get("document")

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has (what a user reads)."""
        return self.text if self.text is not None else (self.caption or "")

    def buttons(self) -> list[tuple[str, str | None]]:
        """Inline buttons as (text, callback_data), row by row."""
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        return [
            (button["text"], button.get("callback_data"))
            for row in self.reply_markup["inline_keyboard"]
            for button in row
        ]

    def inline_button(self, text: str) -> JsonDict | None:
        """The first inline button with exactly this text."""
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return None
        for row in self.reply_markup["inline_keyboard"]:
            for button in row:
                if button.get("text") == text:
                    return dict(button)
        return None

    def reply_buttons(self) -> list[JsonDict]:
        """Reply-keyboard buttons as dicts (plain string buttons become ``{"text": ...}``)."""
        if not self.reply_markup or "keyboard" not in self.reply_markup:
            return []
        return [
            {"text": button} if isinstance(button, str) else dict(button)
            for row in self.reply_markup["keyboard"]
            for button in row
        ]

    def to_dict(self) -> JsonDict:
        """The Message object as the Bot API returns it."""
        message: JsonDict = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        if self.reply_to_message is not None:
            message["reply_to_message"] = self.reply_to_message
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if self.text is not None:
            message["text"] = self.text
            if self.entities:
                message["entities"] = self.entities
        message.update(self.media)
        if self.caption:
            message["caption"] = self.caption
            if self.caption_entities:
                message["caption_entities"] = self.caption_entities
        markup = self.reply_markup
        if markup and markup.get("inline_keyboard"):
            message["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
        return message

    def __repr__(self) -> str:
        flags = " edited" if self.edited else ""
        flags += " deleted" if self.deleted else ""
        return (
            f"<BotMessage chat={self.chat_id} id={self.message_id}{flags} "
            f"{self.content[:60]!r} buttons={self.buttons() or self.reply_buttons()}>"
        )


@dataclass
class RecordedRequest:
    """One call the bot made; ``status`` is None when the connection was dropped unanswered."""

    method: str
    params: JsonDict
    time: float
    http_method: str
    status: int | None = None
    response: JsonDict | None = None
    dropped: bool = False
    via_webhook_reply: bool = False

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def description(self) -> str | None:
        return None if self.response is None else self.response.get("description")


@dataclass(frozen=True)
class CallbackAnswer:
    """An answerCallbackQuery the bot made (what the user saw as a toast or alert)."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass(frozen=True)
class StoredFile:
    """A file known to the fake: uploaded by the bot or sent by a fake user."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    kind: str = "document"
    mime_type: str | None = None
    file_name: str | None = None

    @property
    def file_size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Mark:
    """A point in the fake's event history; messages sent or edited later are "after" it."""

    seq: int
    chat_id: int | None = None


@dataclass(frozen=True)
class WebhookAttempt:
    """One POST of an update to the bot's webhook."""

    update_id: int
    url: str
    status: int | None
    error: str | None
    time: float


@dataclass
class FakeStats:
    """Counters that reliability tests assert on."""

    requests: int = 0
    messages_sent: int = 0
    messages_edited: int = 0
    rate_limited: int = 0
    requests_during_retry_after: int = 0
    injected_failures: int = 0
    dropped: int = 0
    executed_but_dropped: int = 0
    hung: int = 0
    webhook_attempts: int = 0
    webhook_failures: int = 0
    webhook_deliveries: int = 0
