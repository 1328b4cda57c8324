"""Talk to the handlers as a worker would, without Telegram: one transaction per event."""

import itertools
import uuid
from typing import Any

from handlers import Event, EventKind, HandlerConfig, Outgoing, SendMessage, handle_event
from handlers.replies import AnswerCallback
from storage.conversations import lock_conversation
from storage.db import Database
from tests.support.clock import FakeClock

__all__ = ["WorkerChat", "complete_report"]

_update_ids = itertools.count(1000)


class WorkerChat:
    def __init__(
        self,
        db: Database,
        config: HandlerConfig,
        clock: FakeClock,
        user_id: int = 501,
        name: str = "Wang",
    ) -> None:
        self.db, self.config, self.clock = db, config, clock
        self.user_id = user_id
        self.name = name
        self.messages: list[SendMessage] = []
        self.others: list[SendMessage] = []
        self.answers: list[AnswerCallback] = []

    async def event(self, kind: EventKind, **fields: Any) -> list[Outgoing]:
        event = Event(
            update_id=next(_update_ids),
            kind=kind,
            chat_id=self.user_id,
            user_id=self.user_id,
            user_name=self.name,
            **fields,
        )
        return await self.deliver(event)

    async def deliver(self, event: Event) -> list[Outgoing]:
        now = self.clock.now()
        async with self.db.transaction() as session:
            conversation = await lock_conversation(session, event.chat_id, now)
            outgoing = await handle_event(session, self.config, event, now, conversation)
        for message in outgoing:
            if isinstance(message, AnswerCallback):
                self.answers.append(message)
            elif isinstance(message, SendMessage):
                (self.messages if message.chat_id == self.user_id else self.others).append(message)
        return outgoing

    async def send(self, text: str) -> list[Outgoing]:
        if text.startswith("/"):
            command, args = Event.split_command(text)
            return await self.event(EventKind.COMMAND, text=text, command=command, args=args)
        return await self.event(EventKind.TEXT, text=text)

    async def press(self, label: str) -> list[Outgoing]:
        """Press the button whose label contains ``label`` on the latest message that has it."""
        for index in range(len(self.messages) - 1, -1, -1):
            for row in self.messages[index].buttons:
                for button in row:
                    if label in button.text:
                        return await self.event(
                            EventKind.CALLBACK,
                            callback_id=uuid.uuid4().hex,
                            callback_data=button.data,
                            message_id=index + 1,
                        )
        raise AssertionError(f"no button {label!r}; last message: {self.last.text!r}")

    async def press_data(self, data: str) -> list[Outgoing]:
        return await self.event(
            EventKind.CALLBACK, callback_id=uuid.uuid4().hex, callback_data=data, message_id=1
        )

    async def share_contact(self, phone: str) -> list[Outgoing]:
        return await self.event(EventKind.CONTACT, phone=phone, contact_user_id=self.user_id)

    async def send_location(self, latitude: float, longitude: float) -> list[Outgoing]:
        return await self.event(EventKind.LOCATION, latitude=latitude, longitude=longitude)

    async def send_photo(self) -> list[Outgoing]:
        unique = uuid.uuid4().hex[:12]
        return await self.event(EventKind.PHOTO, file_id=f"photo-{unique}", file_unique_id=unique)

    async def send_document(self, name: str = "contract.pdf") -> list[Outgoing]:
        unique = uuid.uuid4().hex[:12]
        return await self.event(
            EventKind.DOCUMENT, file_id=f"doc-{unique}", file_unique_id=unique, file_name=name
        )

    @property
    def last(self) -> SendMessage:
        assert self.messages, "the bot has said nothing to this worker"
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
    await chat.press("Report unpaid wages")
    await chat.send(values["name"])
    await chat.send(values["phone"])
    await chat.press(values["county"])
    await chat.press(values["sector"])
    for key in ("employer", "project", "site", "amount", "workers", "since", "account"):
        await chat.send(values[key])
    await chat.press("Skip")
    if submit:
        await chat.press("Submit report")
