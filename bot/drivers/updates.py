"""Framework update objects → plain events.

aiogram and python-telegram-bot model updates with the same attribute names as the Bot API
(``update.message.chat.id``, ``message.from_user``, ``callback_query.data``…), so one mapping
serves both drivers.
"""

from typing import Any

from handlers.events import Event, EventKind

__all__ = ["ALLOWED_UPDATES", "event_from_update"]

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
REMOVED = ("kicked", "left")
"""The bot's status in a chat it can no longer write to."""


def event_from_update(update: Any) -> Event | None:
    """The event an update means to us; None for updates the bot does not act on."""
    if update.callback_query is not None:
        return _from_callback(update.update_id, update.callback_query)
    if update.message is not None:
        return _from_message(update.update_id, update.message)
    if update.my_chat_member is not None:
        return _from_membership(update.update_id, update.my_chat_member)
    return None


def _common(update_id: int, chat: Any, user: Any) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "chat_id": chat.id,
        "chat_type": str(getattr(chat.type, "value", chat.type)),
        "user_id": user.id,
        "user_name": " ".join(filter(None, [user.first_name, user.last_name])),
        "language_code": user.language_code,
    }


def _unix(when: Any) -> int | None:
    """Telegram's ``date``: a datetime in both libraries (an int in raw JSON)."""
    if isinstance(when, int):
        return when
    return int(when.timestamp()) if when is not None else None


def _from_callback(update_id: int, query: Any) -> Event | None:
    message = query.message
    if message is None:
        return None
    return Event(
        kind=EventKind.CALLBACK,
        callback_id=query.id,
        callback_data=query.data,
        message_id=message.message_id,
        **_common(update_id, message.chat, query.from_user),
    )


def _from_message(update_id: int, message: Any) -> Event | None:
    user = message.from_user
    if user is None:
        return None
    common = _common(update_id, message.chat, user) | {"sent_at": _unix(message.date)}
    if message.text is not None:
        text = message.text
        if text.startswith("/"):
            command, args = Event.split_command(text)
            return Event(kind=EventKind.COMMAND, text=text, command=command, args=args, **common)
        return Event(kind=EventKind.TEXT, text=text, **common)
    if message.contact is not None:
        contact = message.contact
        return Event(
            kind=EventKind.CONTACT,
            phone=contact.phone_number,
            contact_user_id=contact.user_id,
            **common,
        )
    if message.location is not None:
        location = message.location
        return Event(
            kind=EventKind.LOCATION,
            latitude=location.latitude,
            longitude=location.longitude,
            **common,
        )
    if message.photo:
        largest = message.photo[-1]
        return Event(kind=EventKind.PHOTO, **_file(largest), **common)
    for kind, sent in (
        (EventKind.DOCUMENT, message.document),
        (EventKind.VOICE, message.voice),
        (EventKind.AUDIO, message.audio),
    ):
        if sent is not None:
            return Event(kind=kind, **_file(sent), **common)
    if message.sticker is not None:
        return Event(kind=EventKind.STICKER, **common)
    if message.video_note is not None:
        return Event(kind=EventKind.VIDEO_NOTE, **common)
    return Event(kind=EventKind.OTHER, **common)


def _file(sent: Any) -> dict[str, Any]:
    """What the case file keeps of a photo size, document, voice message or audio file; the
    fields a kind lacks (a photo's name, a document's duration) are None."""
    raw = _as_sent(sent)
    return {
        "file_id": raw["file_id"],
        "file_unique_id": raw["file_unique_id"],
        "file_name": raw.get("file_name"),
        "mime_type": raw.get("mime_type"),
        "file_size": raw.get("file_size"),
        "duration": raw.get("duration"),
    }


def _as_sent(sent: Any) -> dict[str, Any]:
    """The object's fields as the Bot API sent them. python-telegram-bot 22 warns when
    ``duration`` is read as a number (it is turning into a timedelta), but its ``to_dict``
    gives the API's seconds; aiogram's types are pydantic models."""
    to_dict = getattr(sent, "to_dict", None)
    fields: dict[str, Any] = to_dict() if to_dict is not None else sent.model_dump()
    return fields


def _from_membership(update_id: int, change: Any) -> Event:
    """The bot's own membership: a worker blocking or unblocking it in their private chat,
    or a group removing it (``left``, ``kicked``) or adding it back."""
    status = str(getattr(change.new_chat_member.status, "value", change.new_chat_member.status))
    muted = status == "restricted" and not getattr(
        change.new_chat_member, "can_send_messages", True
    )
    kind = EventKind.BLOCKED if status in REMOVED or muted else EventKind.UNBLOCKED
    return Event(kind=kind, **_common(update_id, change.chat, change.from_user))
