"""The inbox: every update is stored here before Telegram is told it was received."""

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import InboxEvent, InboxStatus
from storage.upsert import insert_for

__all__ = [
    "InboxRow",
    "count_attempt",
    "finish",
    "next_pending_for_chat",
    "pending_chats",
    "recent_by_user",
    "store",
]

InboxRow = tuple[int, int, dict[str, Any]]
"""(update_id, chat_id, payload): the payload is the event's JSON, with its ``user_id``."""


async def store(
    session: AsyncSession,
    rows: Iterable[InboxRow],
    at: datetime,
    throttled: Collection[int] = (),
) -> int:
    """Insert the updates, ignoring ones already stored (redelivery); returns how many were new.

    The updates in ``throttled`` (update ids) are stored as such, to be kept and not handled."""
    values = [
        {
            "update_id": update_id,
            "chat_id": chat_id,
            "user_id": payload.get("user_id"),
            "payload": payload,
            "status": InboxStatus.THROTTLED if update_id in throttled else InboxStatus.PENDING,
            "received_at": at,
        }
        for update_id, chat_id, payload in rows
    ]
    if not values:
        return 0
    statement = (
        insert_for(session, InboxEvent)
        .values(values)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(InboxEvent.id)
    )
    return len((await session.exec(statement)).all())


async def recent_by_user(
    session: AsyncSession,
    user_ids: Collection[int],
    since: datetime,
    *,
    excluding: Collection[int] = (),
) -> dict[int, tuple[int, int]]:
    """For each of these users, their updates received after ``since`` other than the update
    ids ``excluding``: (all, throttled)."""
    if not user_ids:
        return {}
    throttled = case((col(InboxEvent.status) == InboxStatus.THROTTLED, 1), else_=0)
    statement = (
        select(InboxEvent.user_id, func.count(), func.sum(throttled))
        .where(
            col(InboxEvent.user_id).in_(user_ids),
            col(InboxEvent.received_at) > since,
            col(InboxEvent.update_id).not_in(excluding),
        )
        .group_by(col(InboxEvent.user_id))
    )
    rows = (await session.exec(statement)).all()
    return {int(user): (int(total), int(held or 0)) for user, total, held in rows if user}


async def pending_chats(session: AsyncSession, limit: int = 500) -> Sequence[int]:
    statement = (
        select(InboxEvent.chat_id)
        .where(InboxEvent.status == InboxStatus.PENDING)
        .group_by(col(InboxEvent.chat_id))
        .order_by(func.min(InboxEvent.update_id))
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def next_pending_for_chat(session: AsyncSession, chat_id: int) -> InboxEvent | None:
    statement = (
        select(InboxEvent)
        .where(InboxEvent.chat_id == chat_id, InboxEvent.status == InboxStatus.PENDING)
        .order_by(col(InboxEvent.update_id))
        .limit(1)
    )
    return (await session.exec(statement)).first()


async def finish(
    session: AsyncSession,
    event_id: int,
    status: InboxStatus,
    at: datetime,
    error: str | None = None,
) -> None:
    await session.exec(
        update(InboxEvent)
        .where(col(InboxEvent.id) == event_id)
        .values(status=status, handled_at=at, error=error)
    )


async def count_attempt(session: AsyncSession, event_id: int) -> InboxEvent | None:
    """One more failed try on a pending event; the row as it is now, or None if it is no
    longer pending (another instance finished it meanwhile)."""
    await session.exec(
        update(InboxEvent)
        .where(col(InboxEvent.id) == event_id, col(InboxEvent.status) == InboxStatus.PENDING)
        .values(attempts=col(InboxEvent.attempts) + 1)
    )
    row = await session.get(InboxEvent, event_id, populate_existing=True)
    return row if row is not None and row.status == InboxStatus.PENDING else None
