"""A chat served through the real pipeline (inbox → handlers → outbox), in-process.

Unlike ``tests.support.chat``, which calls the handlers directly, this goes through
``bot.pipeline.Pipeline``: what a failure does to the inbox row and to the chat's next event is
the point of the tests that use it.
"""

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from bot.pipeline import Pipeline
from handlers import Event, EventKind
from storage.db import Database
from storage.models import InboxEvent, OutboxMessage

__all__ = ["PipelineChat", "Said"]

_update_ids = itertools.count(5_000_000)


@dataclass(frozen=True)
class Said:
    """What the bot queued for one event: its inbox row, then the chat's outbox payloads."""

    status: str
    error: str | None
    attempts: int
    answers: list[dict[str, Any]]
    messages: list[dict[str, Any]]

    @property
    def answer_texts(self) -> list[str]:
        return [a.get("text", "") for a in self.answers]


class PipelineChat:
    def __init__(self, pipeline: Pipeline, db: Database, chat_id: int, user_id: int) -> None:
        self.pipeline, self.db = pipeline, db
        self.chat_id, self.user_id = chat_id, user_id

    def event(self, kind: EventKind, **fields: Any) -> Event:
        return Event(
            update_id=next(_update_ids),
            kind=kind,
            chat_id=self.chat_id,
            chat_type="private" if self.chat_id > 0 else "supergroup",
            user_id=self.user_id,
            user_name="Wang",
            **fields,
        )

    def command(self, text: str) -> Event:
        command, args = Event.split_command(text)
        return self.event(EventKind.COMMAND, text=text, command=command, args=args)

    def press(self, data: str) -> Event:
        return self.event(
            EventKind.CALLBACK, callback_id=uuid.uuid4().hex, callback_data=data, message_id=1
        )

    async def send(self, event: Event) -> Said:
        """Store the event, let the pipeline handle everything pending, and say what it did."""
        start = await self._last_outbox_id()
        await self.pipeline.accept([event])
        await self.pipeline.drain()
        async with self.db.reader() as session:
            rows = (
                await session.exec(
                    select(OutboxMessage)
                    .where(OutboxMessage.chat_id == self.chat_id, col(OutboxMessage.id) > start)
                    .order_by(col(OutboxMessage.id))
                )
            ).all()
            row = (
                await session.exec(
                    select(InboxEvent).where(InboxEvent.update_id == event.update_id)
                )
            ).one()
        answers = [r.payload for r in rows if r.method == "answerCallbackQuery"]
        return Said(
            row.status,
            row.error,
            row.attempts,
            answers,
            [r.payload for r in rows if r.method != "answerCallbackQuery"],
        )

    async def _last_outbox_id(self) -> int:
        async with self.db.reader() as session:
            last = (await session.exec(select(func.max(OutboxMessage.id)))).one()
        return last or 0
