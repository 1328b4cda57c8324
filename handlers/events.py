"""The plain event every driver turns a Telegram update into.

It is what the inbox stores, so it must round-trip through JSON unchanged and carry nothing
framework-specific.
"""

from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any, Self

__all__ = ["Event", "EventKind"]


class EventKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    CALLBACK = "callback"
    CONTACT = "contact"
    LOCATION = "location"
    PHOTO = "photo"
    DOCUMENT = "document"
    STICKER = "sticker"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO_NOTE = "video_note"
    """A round video: the bot cannot take it in place of words, nor keep it as evidence."""
    BLOCKED = "blocked"
    UNBLOCKED = "unblocked"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Event:
    update_id: int
    kind: EventKind
    chat_id: int
    user_id: int
    chat_type: str = "private"
    user_name: str = ""
    language_code: str | None = None
    text: str | None = None
    command: str | None = None
    args: str = ""
    callback_id: str | None = None
    callback_data: str | None = None
    message_id: int | None = None
    phone: str | None = None
    contact_user_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    file_id: str | None = None
    file_unique_id: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    file_size: int | None = None
    duration: int | None = None
    sent_at: int | None = None
    """When the user sent the message (Unix time, Telegram's ``date``); None for a press."""

    @property
    def is_private(self) -> bool:
        return self.chat_type == "private"

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value not in (None, "")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["kind"] = EventKind(values["kind"])
        return cls(**values)

    @staticmethod
    def split_command(text: str) -> tuple[str, str]:
        """``/start@my_bot payload`` → (``start``, ``payload``)."""
        head, _, rest = text.strip().partition(" ")
        return head[1:].split("@", 1)[0].lower(), rest.strip()
