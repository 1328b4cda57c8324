"""Rows the pipeline would have written, for tests of what is kept and what is forgotten."""

from datetime import datetime

from sqlmodel import col, select

from bot.pipeline import to_row
from handlers import Outgoing
from storage import inbox, outbox
from storage.db import Database
from storage.models import InboxEvent, InboxStatus, OutboxMessage

__all__ = ["queued", "stored_update"]


async def stored_update(
    db: Database, update_id: int, chat: int, at: datetime, status: InboxStatus
) -> None:
    """An update a worker typed ("Wang Wu, 13812345678"), stored and handled as ``status``."""
    said = {"text": "Wang Wu, 13812345678", "user_id": chat}
    async with db.transaction() as session:
        await inbox.store(session, [(update_id, chat, said)], at)
        row = (
            await session.exec(select(InboxEvent).where(InboxEvent.update_id == update_id))
        ).one()
        if status != InboxStatus.PENDING:
            assert row.id is not None
            await inbox.finish(session, row.id, status, at)


async def queued(db: Database, message: Outgoing, at: datetime) -> int:
    """The outbox row's id, written as the pipeline writes it."""
    async with db.transaction() as session:
        await outbox.enqueue(session, [to_row(message)], at)
        last = select(OutboxMessage.id).order_by(col(OutboxMessage.id).desc()).limit(1)
        return (await session.exec(last)).one() or 0
