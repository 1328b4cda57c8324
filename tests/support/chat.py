"""Talk to the handlers as people would, without Telegram: one transaction per event.

Chats made from one ``Bench`` share what the bot sent, so a staff member in a department
group can press the buttons of the alert a worker's report produced. Edits are applied to
the message they target, as Telegram would show it.
"""

import itertools
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from handlers import Event, EventKind, HandlerConfig, Outgoing, SendMessage, handle_event
from handlers.replies import (
    AnswerCallback,
    EditMessage,
    SendAudio,
    SendDocument,
    SendMediaGroup,
    SendPhoto,
    SendVoice,
)
from storage.conversations import lock_conversation
from storage.db import Database
from storage.repositories import ports
from tests.support.clock import FakeClock

__all__ = ["Bench", "WorkerChat", "bench", "complete_report"]

_update_ids = itertools.count(1000)
Files = SendPhoto | SendDocument | SendVoice | SendAudio | SendMediaGroup


@dataclass
class Bench:
    db: Database
    config: HandlerConfig
    clock: FakeClock
    sent: list[SendMessage] = field(default_factory=list)
    answers: list[AnswerCallback] = field(default_factory=list)
    files: list[Files] = field(default_factory=list)
    """Files the bot sent (the evidence of a case), in order."""

    def record(self, outgoing: list[Outgoing]) -> None:
        for message in outgoing:
            if isinstance(message, AnswerCallback):
                self.answers.append(message)
            elif isinstance(message, SendMessage):
                self.sent.append(message)
            elif isinstance(message, EditMessage):
                self.apply_edit(message)
            elif isinstance(message, Files):
                self.files.append(message)

    def apply_edit(self, edit: EditMessage) -> None:
        """Find the target by its reference, or by its id (its position in the chat, from 1)."""
        in_chat = [i for i, m in enumerate(self.sent) if m.chat_id == edit.chat_id]
        if edit.target_ref is not None:
            matches = [i for i in in_chat if self.sent[i].ref == edit.target_ref]
        else:
            position = (edit.message_id or 0) - 1
            matches = [in_chat[position]] if 0 <= position < len(in_chat) else []
        if not matches:
            raise AssertionError(f"edit of a message never sent: {edit}")
        index = matches[-1]
        self.sent[index] = replace(self.sent[index], text=edit.text, buttons=edit.buttons)

    def chat(self, user_id: int, *, chat_id: int | None = None, name: str = "Wang") -> "WorkerChat":
        return WorkerChat(
            self.db, self.config, self.clock, user_id, name, chat_id=chat_id, bench=self
        )

    def to(self, chat_id: int) -> list[SendMessage]:
        return [m for m in self.sent if m.chat_id == chat_id]


@pytest.fixture
def bench(db: Database, config: HandlerConfig, clock: FakeClock) -> Bench:
    """A bench whose staff screens are in English, so tests read the texts they check."""
    return Bench(db, replace(config, default_language="en"), clock)


class WorkerChat:
    """A person in a chat with the bot: their private chat, or a group (``chat_id`` < 0)."""

    def __init__(
        self,
        db: Database,
        config: HandlerConfig,
        clock: FakeClock,
        user_id: int = 501,
        name: str = "Wang",
        *,
        chat_id: int | None = None,
        bench: Bench | None = None,
    ) -> None:
        self.bench = bench or Bench(db, config, clock)
        self.db, self.config, self.clock = db, config, clock
        self.user_id = user_id
        self.chat_id = chat_id if chat_id is not None else user_id
        self.name = name

    @property
    def messages(self) -> list[SendMessage]:
        return self.bench.to(self.chat_id)

    @property
    def others(self) -> list[SendMessage]:
        return [m for m in self.bench.sent if m.chat_id != self.chat_id]

    @property
    def answers(self) -> list[AnswerCallback]:
        return self.bench.answers

    async def event(self, kind: EventKind, **fields: Any) -> list[Outgoing]:
        event = Event(
            update_id=next(_update_ids),
            kind=kind,
            chat_id=self.chat_id,
            chat_type="private" if self.chat_id > 0 else "supergroup",
            user_id=self.user_id,
            user_name=self.name,
            **fields,
        )
        return await self.deliver(event)

    async def deliver(self, event: Event) -> list[Outgoing]:
        now = self.clock.now()
        async with self.db.transaction() as session:
            conversation = await lock_conversation(session, event.chat_id, now)
            outgoing = await handle_event(
                session, self.config, event, now, conversation, ports(session)
            )
        self.bench.record(outgoing)
        return outgoing

    async def send(self, text: str) -> list[Outgoing]:
        if text.startswith("/"):
            command, args = Event.split_command(text)
            return await self.event(EventKind.COMMAND, text=text, command=command, args=args)
        return await self.event(EventKind.TEXT, text=text)

    async def press(self, label: str) -> list[Outgoing]:
        """Press the button whose label contains ``label`` on the latest message that has it."""
        messages = self.messages
        for index in range(len(messages) - 1, -1, -1):
            for row in messages[index].buttons:
                for button in row:
                    if label in button.text:
                        return await self.event(
                            EventKind.CALLBACK,
                            callback_id=uuid.uuid4().hex,
                            callback_data=button.data,
                            message_id=index + 1,
                        )
        last = messages[-1].text if messages else "nothing"
        raise AssertionError(f"no button {label!r} in chat {self.chat_id}; last message: {last!r}")

    async def begin_report(self, start: str = "Report unpaid wages") -> None:
        """Start a report as a worker does (press ``start``, or send it if it is a command),
        agreeing to the privacy notice if it is shown."""
        await (self.send(start) if start.startswith("/") else self.press(start))
        agree = [
            b.text for row in self.last.buttons for b in row if b.data.startswith("privacy:ok")
        ]
        if agree:
            await self.press(agree[0])

    async def press_data(self, data: str) -> list[Outgoing]:
        return await self.event(
            EventKind.CALLBACK, callback_id=uuid.uuid4().hex, callback_data=data, message_id=1
        )

    async def share_contact(self, phone: str) -> list[Outgoing]:
        return await self.event(EventKind.CONTACT, phone=phone, contact_user_id=self.user_id)

    async def send_location(self, latitude: float, longitude: float) -> list[Outgoing]:
        return await self.event(EventKind.LOCATION, latitude=latitude, longitude=longitude)

    async def send_photo(self, *, size: int | None = 120_000) -> list[Outgoing]:
        return await self.send_file(EventKind.PHOTO, "photo", file_size=size)

    async def send_document(
        self,
        name: str = "contract.pdf",
        *,
        mime_type: str = "application/pdf",
        size: int | None = 48_000,
    ) -> list[Outgoing]:
        return await self.send_file(
            EventKind.DOCUMENT, "doc", file_name=name, mime_type=mime_type, file_size=size
        )

    async def send_voice(self, duration: int = 42, *, size: int | None = None) -> list[Outgoing]:
        size = duration * 2_000 if size is None else size
        return await self.send_file(
            EventKind.VOICE, "voice", duration=duration, mime_type="audio/ogg", file_size=size
        )

    async def send_audio(self, name: str = "boss-call.m4a", duration: int = 95) -> list[Outgoing]:
        return await self.send_file(
            EventKind.AUDIO,
            "audio",
            file_name=name,
            duration=duration,
            mime_type="audio/mp4",
            file_size=duration * 16_000,
        )

    async def send_file(self, kind: EventKind, tag: str, **fields: Any) -> list[Outgoing]:
        """A file as Telegram reports it: a new id, and what the sender's app said of it."""
        unique = uuid.uuid4().hex[:12]
        return await self.event(kind, file_id=f"{tag}-{unique}", file_unique_id=unique, **fields)

    @property
    def last(self) -> SendMessage:
        assert self.messages, f"the bot has said nothing in chat {self.chat_id}"
        return self.messages[-1]

    def button_labels(self) -> list[str]:
        return [b.text for row in self.last.buttons for b in row]

    def texts_since(self, count: int) -> str:
        return "\n".join(m.text for m in self.messages[count:])


async def complete_report(chat: WorkerChat, *, submit: bool = True, **answers: str) -> None:
    """Walk a worker through the whole report in English, with any answer overridden."""
    values = {
        "name": "Wang Wu",
        "phone": "13812345678",
        "county": "Anding",
        "sector": "Construction",
        "employer": "Xijiang Agricultural Co-op",
        "project": "Greenhouse repair",
        "site": "Xijiang village, Anding",
        "amount": "19.5万",
        "workers": "12",
        "since": "2022-05",
        "account": "We repaired 70 greenhouses and were paid only 20,000.",
    } | answers
    if not chat.messages:
        await chat.send("/start")
        await chat.press("English")
    await chat.begin_report()
    await chat.send(values["name"])
    await chat.send(values["phone"])
    await chat.press(values["county"])
    await chat.press(values["sector"])
    for key in ("employer", "project", "site", "amount", "workers", "since", "account"):
        await chat.send(values[key])
    await chat.press("Skip")
    if submit:
        await chat.press("Submit report")
