"""The outbox: messages written with the change that caused them, delivered by the sender.

A row is claimed (``sending``, with the sender's id) before its request goes out and settled
after the answer. Each sender keeps a heartbeat; a claim whose sender stopped beating means the
process died mid-request: Telegram may or may not have executed it, so the row goes back to
``pending`` with ``ambiguous`` counted — the one window in which a message can be sent twice.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, case, delete, exists, func, insert, literal, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.columns import UtcDateTime
from storage.models import OutboxMessage, OutboxStatus, SenderHeartbeat
from storage.upsert import insert_for, skip_locked

__all__ = [
    "FORGOTTEN",
    "UNORDERED_METHODS",
    "OutboxRow",
    "claim_due",
    "enqueue",
    "heartbeat",
    "next_due_at",
    "recover_orphaned_claims",
    "release",
    "retire",
    "settle",
    "telegram_message_id_for",
]

UNORDERED_METHODS = ("answerCallbackQuery",)
"""Answers to button presses need not wait behind the chat's queued messages."""

OutboxRow = tuple[int, str, dict[str, Any], str | None, bool]
"""(chat_id, method, payload, ref, forget_on_delivery)."""

FORGOTTEN: dict[str, Any] = {}
"""A forgotten message's payload: what it said is gone; its chat, ref and Telegram id stay,
since a later edit of the message is found by them."""


async def enqueue(session: AsyncSession, rows: Iterable[OutboxRow], at: datetime) -> int:
    """One INSERT for all the rows: building ORM objects cost more than the statement."""
    values = [
        {
            "chat_id": chat_id,
            "method": method,
            "payload": payload,
            "ref": ref,
            "forget_on_delivery": forget,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "ambiguous": 0,
            "next_attempt_at": at,
            "created_at": at,
        }
        for chat_id, method, payload, ref, forget in rows
    ]
    if values:
        await session.exec(insert(OutboxMessage).values(values))
    return len(values)


async def claim_due(
    session: AsyncSession, now: datetime, limit: int, sender: str
) -> Sequence[OutboxMessage]:
    """Due messages, each first in its chat's queue, marked ``sending`` by ``sender``.

    A message never tried is due at once, whichever instance wrote it on whatever clock; a
    retry is due at its ``next_attempt_at``, written and judged (``now``) on the database's
    clock."""
    earlier = aliased(OutboxMessage)
    blocked = exists().where(
        col(earlier.chat_id) == col(OutboxMessage.chat_id),
        col(earlier.id) < col(OutboxMessage.id),
        col(earlier.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        col(earlier.method).not_in(UNORDERED_METHODS),
    )
    statement = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            or_(col(OutboxMessage.attempts) == 0, col(OutboxMessage.next_attempt_at) <= now),
            or_(col(OutboxMessage.method).in_(UNORDERED_METHODS), ~blocked),
        )
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )
    rows = (await session.exec(skip_locked(session, statement, of=OutboxMessage))).all()
    for row in rows:
        row.status = OutboxStatus.SENDING
        row.attempts += 1
        row.claimed_by = sender
        session.add(row)
    return rows


async def settle(
    session: AsyncSession,
    message_id: int,
    status: OutboxStatus,
    at: datetime,
    *,
    error: str | None = None,
    telegram_message_id: int | None = None,
    retry_at: datetime | None = None,
    ambiguous: bool = False,
) -> None:
    """Record the outcome of one attempt; ``pending`` with ``retry_at`` schedules another.
    A delivered message marked ``forget_on_delivery`` loses its payload in the same statement."""
    values: dict[str, Any] = {"status": status, "error": error, "claimed_by": None}
    if status == OutboxStatus.SENT:
        forget = col(OutboxMessage.forget_on_delivery)
        values.update(
            sent_at=at,
            telegram_message_id=telegram_message_id,
            payload=case((forget, literal(FORGOTTEN, JSON())), else_=col(OutboxMessage.payload)),
            forgotten_at=case((forget, literal(at, UtcDateTime())), else_=None),
        )
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    if ambiguous:
        values["ambiguous"] = OutboxMessage.ambiguous + 1
    await session.exec(
        update(OutboxMessage).where(col(OutboxMessage.id) == message_id).values(**values)
    )


async def release(session: AsyncSession, message_id: int) -> None:
    """Give back a claim whose request never went out (the sender is stopping): not an attempt."""
    await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == OutboxStatus.SENDING
        )
        .values(status=OutboxStatus.PENDING, claimed_by=None, attempts=OutboxMessage.attempts - 1)
    )


async def heartbeat(session: AsyncSession, sender: str, now: datetime) -> None:
    """``now`` on the database's clock (``storage.db_clock``), as ``recover_orphaned_claims``
    reads it: the senders judging each other need not have clocks that agree."""
    await session.exec(
        insert_for(session, SenderHeartbeat)
        .values(id=sender, heartbeat_at=now)
        .on_conflict_do_update(index_elements=["id"], set_={"heartbeat_at": now})
    )


async def retire(session: AsyncSession, sender: str) -> None:
    """A sender that stopped cleanly (nothing left in flight) vouches for nothing more."""
    await session.exec(delete(SenderHeartbeat).where(col(SenderHeartbeat.id) == sender))


async def recover_orphaned_claims(session: AsyncSession, now: datetime, silence: timedelta) -> int:
    """Release claims of senders that have not beaten for ``silence`` (or are gone); ``now``
    on the database's clock, like the heartbeats."""
    alive = select(SenderHeartbeat.id).where(col(SenderHeartbeat.heartbeat_at) >= now - silence)
    result = await session.exec(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.SENDING,
            or_(
                col(OutboxMessage.claimed_by).is_(None), col(OutboxMessage.claimed_by).not_in(alive)
            ),
        )
        .values(
            status=OutboxStatus.PENDING,
            claimed_by=None,
            ambiguous=OutboxMessage.ambiguous + 1,
            next_attempt_at=now,
        )
    )
    return int(result.rowcount)


async def next_due_at(session: AsyncSession) -> datetime | None:
    statement = select(func.min(OutboxMessage.next_attempt_at)).where(
        OutboxMessage.status == OutboxStatus.PENDING
    )
    return (await session.exec(statement)).one()


async def telegram_message_id_for(session: AsyncSession, ref: str) -> int | None:
    statement = (
        select(OutboxMessage.telegram_message_id)
        .where(OutboxMessage.ref == ref, OutboxMessage.status == OutboxStatus.SENT)
        .order_by(col(OutboxMessage.id).desc())
        .limit(1)
    )
    return (await session.exec(statement)).first()
