"""Due work of the tests' own: a task that echoes its subject, planned and read back."""

from datetime import timedelta

from sqlmodel import col, select

from handlers import SendMessage
from handlers.context import Unit
from storage.db import Database
from storage.due import schedule
from storage.models import DueTask, OutboxMessage
from tests.support.clock import FakeClock

__all__ = ["CHAT", "echo", "outbox_texts", "plan"]

CHAT = -1001000000101


async def echo(unit: Unit, task: DueTask) -> None:
    """The ``test_echo`` kind: one message whose text is the task's subject."""
    unit.send(SendMessage(CHAT, task.subject))


async def plan(db: Database, clock: FakeClock, kind: str, subject: str, **late: float) -> None:
    async with db.transaction() as session:
        due_at = clock.now() - timedelta(**late)
        await schedule(session, kind, subject, due_at, clock.now())


async def outbox_texts(db: Database) -> list[str]:
    async with db.reader() as session:
        rows = await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
        return [row.payload["text"] for row in rows]
