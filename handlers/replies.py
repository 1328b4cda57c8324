"""What handlers ask the runtime to send: plain data, stored in the outbox as JSON.

Text is Telegram HTML; every value a user typed goes through ``escape`` before it is placed in
a message, so a worker's "<b>" can never break a reply.
"""

import base64
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_GROUP",
    "MAX_PHOTO_BYTES",
    "MESSAGE_REF",
    "STORED_KEY",
    "AnswerCallback",
    "Button",
    "EditMessage",
    "Kept",
    "KeyButton",
    "MediaItem",
    "Outgoing",
    "ReplyKeyboard",
    "SendAudio",
    "SendDocument",
    "SendMediaGroup",
    "SendMessage",
    "SendPhoto",
    "SendVoice",
    "Upload",
    "escape",
    "forgotten_once_delivered",
    "plain",
    "with_uploads",
]


MESSAGE_REF = "message_ref"
"""Payload key of an edit's target reference; the sender swaps it for the message id."""


TAG = re.compile(r"<[^<>]+>")


def escape(value: object) -> str:
    return html.escape(str(value), quote=False)


def plain(text: str) -> str:
    """A message's text as the reader sees it: without its HTML tags and entities."""
    return html.unescape(TAG.sub("", text))


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button; ``data`` is packed by ``handlers.callbacks`` and ≤ 64 bytes."""

    text: str
    data: str


@dataclass(frozen=True, slots=True)
class KeyButton:
    """A reply-keyboard button; it sends its text, or the contact/location it requests."""

    text: str
    request_contact: bool = False
    request_location: bool = False


@dataclass(frozen=True, slots=True)
class ReplyKeyboard:
    rows: tuple[tuple[KeyButton, ...], ...]


@dataclass(frozen=True, slots=True)
class SendMessage:
    chat_id: int
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    keyboard: ReplyKeyboard | None = None
    remove_keyboard: bool = False
    ref: str | None = None
    private: bool = False
    """Personal data only its reader needs (a worker's contact for staff): see ``forgotten``."""

    method = "sendMessage"

    def to_json(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"text": self.text, "parse_mode": "HTML"}
        markup = _markup(self.buttons, self.keyboard, self.remove_keyboard)
        if markup:
            payload["reply_markup"] = markup
        return payload


@dataclass(frozen=True, slots=True)
class EditMessage:
    """Edit a message given by id, or by the ``ref`` it was sent with (``target_ref``).

    A reference is resolved when the edit is delivered: by then the chat's earlier message is
    sent and has its id, even if it had not when the edit was decided.
    """

    chat_id: int
    message_id: int | None
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    target_ref: str | None = None
    ref: str | None = None

    method = "editMessageText"

    def to_json(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"text": self.text, "parse_mode": "HTML"}
        if self.message_id is not None:
            payload["message_id"] = self.message_id
        if self.target_ref is not None:
            payload[MESSAGE_REF] = self.target_ref
        markup = _markup(self.buttons, None, False)
        if markup:
            payload["reply_markup"] = markup
        return payload


@dataclass(frozen=True, slots=True)
class AnswerCallback:
    chat_id: int
    callback_id: str
    text: str | None = None
    show_alert: bool = False
    ref: str | None = field(default=None)

    method = "answerCallbackQuery"

    def to_json(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"callback_query_id": self.callback_id}
        if self.text:
            payload["text"] = self.text[:200]
        if self.show_alert:
            payload["show_alert"] = True
        return payload


@dataclass(frozen=True, slots=True)
class Upload:
    """A file the bot uploads. In the outbox's JSON it is ``{"upload": base64, "file_name": …}``;
    drivers turn it back into their own file object with ``with_uploads``."""

    file_name: str
    content: bytes

    def to_json(self) -> dict[str, str]:
        encoded = base64.b64encode(self.content).decode("ascii")
        return {"upload": encoded, "file_name": self.file_name}

    @classmethod
    def from_json(cls, value: object) -> "Upload | None":
        if not (isinstance(value, dict) and isinstance(value.get("upload"), str)):
            return None
        return cls(str(value.get("file_name") or "file"), base64.b64decode(value["upload"]))


STORED_KEY = "_stored"
"""Payload key of a kept file's path in the case file store (relative to ``EVIDENCE_DIR``)."""


@dataclass(frozen=True, slots=True)
class Kept:
    """A file from a case file, sent by Telegram's file id. In the outbox's JSON it is
    ``{"file_id": …, "_stored": path or null, "file_name": …}``: the sender sends the id and,
    when Telegram no longer knows it (a new bot token, an expired id), uploads the store's copy.
    """

    file_id: str
    stored_path: str | None = None
    file_name: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"file_id": self.file_id, STORED_KEY: self.stored_path, "file_name": self.file_name}

    @classmethod
    def from_json(cls, value: object) -> "Kept | None":
        if not (isinstance(value, dict) and isinstance(value.get("file_id"), str)):
            return None
        stored, name = value.get(STORED_KEY), value.get("file_name")
        return cls(
            value["file_id"],
            stored if isinstance(stored, str) else None,
            name if isinstance(name, str) else None,
        )


def with_uploads(payload: dict[str, Any], make: Callable[[Upload], Any]) -> dict[str, Any]:
    """The payload with every uploaded file replaced by ``make(file)``."""
    return {
        key: make(upload) if (upload := Upload.from_json(value)) is not None else value
        for key, value in payload.items()
    }


@dataclass(frozen=True, slots=True)
class SendDocument:
    """A file sent as is (Telegram allows up to 50 MB), uploaded or from a case file."""

    chat_id: int
    document: Upload | Kept
    caption: str = ""
    ref: str | None = None

    method = "sendDocument"

    def to_json(self) -> dict[str, Any]:
        return {"document": self.document.to_json(), **_caption(self.caption)}


@dataclass(frozen=True, slots=True)
class SendPhoto:
    """A picture shown in the chat (Telegram allows up to 10 MB and recompresses it),
    uploaded or from a case file."""

    chat_id: int
    photo: Upload | Kept
    caption: str = ""
    ref: str | None = None

    method = "sendPhoto"

    def to_json(self) -> dict[str, Any]:
        return {"photo": self.photo.to_json(), **_caption(self.caption)}


@dataclass(frozen=True, slots=True)
class SendVoice:
    """A voice message from a case file, played in the chat as the worker recorded it."""

    chat_id: int
    voice: Kept
    caption: str = ""
    ref: str | None = None

    method = "sendVoice"

    def to_json(self) -> dict[str, Any]:
        return {"voice": self.voice.to_json(), **_caption(self.caption)}


@dataclass(frozen=True, slots=True)
class SendAudio:
    """A recording sent as an audio file (a phone call, a meeting), with its player."""

    chat_id: int
    audio: Kept
    caption: str = ""
    ref: str | None = None

    method = "sendAudio"

    def to_json(self) -> dict[str, Any]:
        return {"audio": self.audio.to_json(), **_caption(self.caption)}


MAX_GROUP = 10
"""Telegram's bounds on an album: two to ten items."""


@dataclass(frozen=True, slots=True)
class MediaItem:
    """One item of an album: ``kind`` is Telegram's ``photo``, ``document`` or ``audio``."""

    kind: str
    file: Kept
    caption: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"type": self.kind, "media": self.file.to_json(), **_caption(self.caption)}


@dataclass(frozen=True, slots=True)
class SendMediaGroup:
    """Photos shown together as one album (2 to 10; a single photo is a ``SendPhoto``)."""

    chat_id: int
    media: tuple[MediaItem, ...]
    ref: str | None = None

    method = "sendMediaGroup"

    def __post_init__(self) -> None:
        if not 2 <= len(self.media) <= MAX_GROUP:
            raise ValueError(f"an album holds 2 to {MAX_GROUP} items, not {len(self.media)}")

    def to_json(self) -> dict[str, Any]:
        return {"media": [item.to_json() for item in self.media]}


Outgoing = (
    SendMessage
    | EditMessage
    | AnswerCallback
    | SendDocument
    | SendPhoto
    | SendVoice
    | SendAudio
    | SendMediaGroup
)


def forgotten_once_delivered(message: Outgoing) -> bool:
    """Whether the outbox forgets the message as soon as Telegram has it, rather than after
    ``OUTBOX_RETENTION_DAYS``: private messages, and every file the bot sends (an export, a
    chart, a worker's evidence), which is the reader's to keep, not the outbox's."""
    if isinstance(message, SendMessage):
        return message.private
    return isinstance(message, SendDocument | SendPhoto | SendVoice | SendAudio | SendMediaGroup)


MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024


def _caption(text: str) -> dict[str, str]:
    return {"caption": text, "parse_mode": "HTML"} if text else {}


def _markup(
    buttons: tuple[tuple[Button, ...], ...], keyboard: ReplyKeyboard | None, remove: bool
) -> dict[str, Any] | None:
    if buttons:
        return {
            "inline_keyboard": [
                [{"text": b.text, "callback_data": b.data} for b in row] for row in buttons
            ]
        }
    if keyboard is not None:
        return {
            "keyboard": [
                [
                    {
                        "text": b.text,
                        **({"request_contact": True} if b.request_contact else {}),
                        **({"request_location": True} if b.request_location else {}),
                    }
                    for b in row
                ]
                for row in keyboard.rows
            ],
            "resize_keyboard": True,
            "one_time_keyboard": True,
        }
    if remove:
        return {"remove_keyboard": True}
    return None
