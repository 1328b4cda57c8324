"""Fake Telegram users: produce updates exactly as a person tapping in the app would.

Building updates by hand invites shapes Telegram never sends (a button press with data that is
not on any button, a contact without user_id). Going through a user keeps tests honest: a press
needs a real button on a message the bot really sent, files get ids the bot can download.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Protocol

from .formatting import utf16_len
from .records import BotMessage, ChatInfo, JsonDict

if TYPE_CHECKING:
    from .server import FakeBotAPI


def default_group_type(chat_id: int) -> str:
    """Telegram's supergroup ids start with -100; other negative ids are basic groups."""
    return "supergroup" if str(chat_id).startswith("-100") else "group"


class _ClientChat(Protocol):
    @property
    def id(self) -> int: ...


class ClientMessage(Protocol):
    """A Message object of aiogram or python-telegram-bot (anything with chat.id/message_id)."""

    @property
    def message_id(self) -> int: ...

    @property
    def chat(self) -> _ClientChat: ...


MessageRef = BotMessage | JsonDict | ClientMessage


class FakeUser:
    """A user writing to the bot, in a private chat or (via :meth:`in_chat`) in a group.

    Every ``send_*``/``press`` enqueues one update and returns the update dict.
    """

    def __init__(
        self,
        api: FakeBotAPI,
        user_id: int,
        first_name: str = "Wang",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh",
        chat: ChatInfo | None = None,
    ) -> None:
        if user_id <= 0:
            raise ValueError("user ids are positive")
        self.api = api
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.chat = chat or ChatInfo(
            user_id, "private", username=username, first_name=first_name, last_name=last_name
        )
        api.add_chat(
            self.chat.id,
            chat_type=self.chat.type,
            title=self.chat.title,
            username=self.chat.username,
            first_name=self.chat.first_name,
            last_name=self.chat.last_name,
        )

    @property
    def chat_id(self) -> int:
        return self.chat.id

    def to_dict(self) -> JsonDict:
        """The User object Telegram puts in ``from``."""
        user: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            user["last_name"] = self.last_name
        if self.username is not None:
            user["username"] = self.username
        if self.language_code is not None:
            user["language_code"] = self.language_code
        return user

    def in_chat(
        self, chat_id: int, title: str = "Test group", chat_type: str | None = None
    ) -> FakeUser:
        """The same person, now writing in a group chat (negative id)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = ChatInfo(chat_id, chat_type or default_group_type(chat_id), title=title)
        return FakeUser(
            self.api,
            self.id,
            self.first_name,
            last_name=self.last_name,
            username=self.username,
            language_code=self.language_code,
            chat=chat,
        )

    # --- messages -------------------------------------------------------------------------------

    def send_text(self, text: str, *, reply_to: BotMessage | JsonDict | None = None) -> JsonDict:
        """A text message; a leading ``/command`` gets its bot_command entity like in the app."""
        content: JsonDict = {"text": text}
        if text.startswith("/") and len(text) > 1 and not text[1].isspace():
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        return self._message(content, reply_to=reply_to)

    def send_command(self, command: str, args: str = "") -> JsonDict:
        """``send_command("start", "ref42")`` sends ``/start ref42``."""
        text = "/" + command.lstrip("/")
        return self.send_text(f"{text} {args}" if args else text)

    def send_contact(
        self,
        phone_number: str,
        own: bool = True,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> JsonDict:
        """A shared contact; ``own=True`` is the request_contact button (user_id is set)."""
        contact: JsonDict = {
            "phone_number": phone_number,
            "first_name": first_name or (self.first_name if own else "Contact"),
        }
        surname = last_name if last_name is not None else (self.last_name if own else None)
        if surname is not None:
            contact["last_name"] = surname
        if own:
            contact["user_id"] = self.id
        return self._message({"contact": contact})

    def send_location(self, latitude: float, longitude: float) -> JsonDict:
        return self._message({"location": {"latitude": latitude, "longitude": longitude}})

    def send_photo(self, caption: str | None = None, content: bytes | None = None) -> JsonDict:
        """A photo in several sizes, each with its own file_id that getFile can resolve."""
        data = content if content is not None else _fake_jpeg()
        message: JsonDict = {"photo": self.api._register_photo(data)}
        if caption:
            message["caption"] = caption
        return self._message(message)

    def send_document(
        self,
        file_name: str = "a.pdf",
        mime_type: str = "application/pdf",
        *,
        content: bytes | None = None,
        caption: str | None = None,
    ) -> JsonDict:
        data = content if content is not None else b"%PDF-1.4\n% fake " + file_name.encode()
        stored = self.api._register_file(data, "document", mime_type=mime_type, file_name=file_name)
        message: JsonDict = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": stored.file_size,
            }
        }
        if caption:
            message["caption"] = caption
        return self._message(message)

    def send_sticker(self, emoji: str = "👍") -> JsonDict:
        stored = self.api._register_file(
            b"RIFF\x00\x00\x00\x00WEBPVP8 " + secrets.token_bytes(32),
            "sticker",
            mime_type="image/webp",
        )
        sticker: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.file_size,
        }
        return self._message({"sticker": sticker})

    def send_voice(self, duration: int = 3, content: bytes | None = None) -> JsonDict:
        data = content if content is not None else b"OggS" + secrets.token_bytes(64)
        stored = self.api._register_file(data, "voice", mime_type="audio/ogg")
        voice: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.file_size,
        }
        return self._message({"voice": voice})

    # --- buttons and membership -----------------------------------------------------------------

    def press(self, message: MessageRef, button_text: str) -> JsonDict:
        """Tap an inline button on a message the bot sent, in its current (edited) state."""
        chat_id, message_id = _message_ref(message)
        current = self.api._bot_message(chat_id, message_id)
        if current is None or current.deleted:
            raise AssertionError(
                f"message {message_id} in chat {chat_id} is not a live bot message; "
                f"messages there: {self.api.messages(chat_id)}"
            )
        button = current.inline_button(button_text)
        if button is None:
            raise AssertionError(
                f"no inline button {button_text!r} on message {message_id} in chat {chat_id}; "
                f"buttons: {current.buttons()}"
            )
        if "callback_data" not in button:
            raise AssertionError(f"button {button_text!r} has no callback_data: {button}")
        return self.press_forged(current, button["callback_data"])

    def press_forged(self, message: MessageRef, data: str) -> JsonDict:
        """A press on a bot message carrying ``data`` the bot never drew: a modified client can
        send any callback data (Telegram only caps it at 64 bytes)."""
        chat_id, message_id = _message_ref(message)
        current = self.api._bot_message(chat_id, message_id)
        if current is None:
            raise AssertionError(f"message {message_id} in chat {chat_id} is not a bot message")
        query: JsonDict = {
            "id": self.api._new_callback_query_id(),
            "from": self.to_dict(),
            "message": current.to_dict(),
            "chat_instance": f"{abs(chat_id) * 7919 % 10**15}",
            "data": data,
        }
        return self.api.push_update({"callback_query": query})

    def press_reply_button(self, message: MessageRef, button_text: str) -> JsonDict:
        """Tap a reply-keyboard button: sends its text, or the contact/location it requests."""
        chat_id, message_id = _message_ref(message)
        current = self.api._bot_message(chat_id, message_id)
        buttons = current.reply_buttons() if current is not None else []
        button = next((b for b in buttons if b.get("text") == button_text), None)
        if button is None:
            raise AssertionError(f"no reply button {button_text!r}; buttons: {buttons}")
        if button.get("request_contact"):
            return self.send_contact(f"+86138{self.id % 10**8:08d}")
        if button.get("request_location"):
            return self.send_location(31.2304, 121.4737)
        return self.send_text(button_text)

    def block_bot(self) -> JsonDict:
        """The user blocks the bot: later sends get 403 and a my_chat_member update arrives."""
        self.api.block_chat(self.chat_id)
        return self.api.chat_member_update(self.id, chat_id=self.chat_id, new_status="kicked")

    def unblock_bot(self) -> JsonDict:
        self.api.unblock_chat(self.chat_id)
        return self.api.chat_member_update(
            self.id, chat_id=self.chat_id, old_status="kicked", new_status="member"
        )

    def _message(
        self, content: JsonDict, *, reply_to: BotMessage | JsonDict | None = None
    ) -> JsonDict:
        message: JsonDict = {
            "message_id": self.api._allocate_message_id(self.chat_id),
            "from": self.to_dict(),
            "chat": self.chat.to_dict(),
            "date": int(time.time()),
        }
        if reply_to is not None:
            message["reply_to_message"] = (
                reply_to.to_dict() if isinstance(reply_to, BotMessage) else reply_to
            )
        message.update(content)
        self.api._remember_user_message(message)
        return self.api.push_update({"message": message})

    def __repr__(self) -> str:
        return f"<FakeUser {self.id} {self.first_name!r} in chat {self.chat_id}>"


def _message_ref(message: MessageRef) -> tuple[int, int]:
    if isinstance(message, BotMessage):
        return message.chat_id, message.message_id
    if not isinstance(message, dict):
        return int(message.chat.id), int(message.message_id)
    try:
        return int(message["chat"]["id"]), int(message["message_id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise AssertionError(f"not a Telegram message: {message!r}") from exc


def _fake_jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + secrets.token_bytes(256) + b"\xff\xd9"


__all__ = ["ClientMessage", "FakeUser", "MessageRef", "default_group_type"]
