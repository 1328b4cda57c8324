"""Forgetting what has served its purpose: handled updates, delivered messages, a discarded draft.

Each sweep works in batches (``limit`` rows, chosen by id) so that a first run over a year of
rows never holds SQLite's one writer, or a PostgreSQL transaction, for long.
"""

from datetime import datetime

from sqlalchemy import ColumnElement, Text, cast, delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Case, Conversation, InboxEvent, InboxStatus, OutboxMessage, OutboxStatus
from storage.outbox import FORGOTTEN

__all__ = [
    "forget_case_messages",
    "forget_chat",
    "forget_idle_drafts",
    "forget_old_messages",
    "forget_old_updates",
]

SETTLED = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.UNREACHABLE)
"""Outbox rows whose payload nothing will read again."""


async def forget_old_updates(session: AsyncSession, before: datetime, limit: int) -> int:
    """Delete handled updates (done, failed or throttled) received before ``before``: what a
    worker typed lives on only in the case it became. Returns how many went."""
    chosen = (
        select(InboxEvent.id)
        .where(col(InboxEvent.status) != InboxStatus.PENDING, col(InboxEvent.received_at) < before)
        .order_by(col(InboxEvent.id))
        .limit(limit)
    )
    result = await session.exec(delete(InboxEvent).where(col(InboxEvent.id).in_(chosen)))
    return int(result.rowcount or 0)


async def forget_old_messages(
    session: AsyncSession, before: datetime, now: datetime, limit: int
) -> int:
    """Empty the payload of settled messages created before ``before``; the row stays (chat,
    ref, Telegram's message id), since a later edit of the message is found by them."""
    chosen = (
        select(OutboxMessage.id)
        .where(
            col(OutboxMessage.status).in_(SETTLED),
            col(OutboxMessage.forgotten_at).is_(None),
            col(OutboxMessage.created_at) < before,
        )
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )
    return await _forget(session, col(OutboxMessage.id).in_(chosen), now)


async def forget_idle_drafts(
    session: AsyncSession, before: datetime, now: datetime, limit: int
) -> int:
    """Clear conversations left half-way (a report's name and phone, a walk-in's details) and
    untouched since ``before``: an abandoned draft is not kept for ever. The update checks
    idleness again: on PostgreSQL a draft answered while the sweep waited for its row's lock is
    re-read by the outer condition only."""
    idle = (col(Conversation.flow).is_not(None), col(Conversation.updated_at) < before)
    chosen = (
        select(Conversation.chat_id).where(*idle).order_by(col(Conversation.chat_id)).limit(limit)
    )
    result = await session.exec(
        update(Conversation)
        .where(col(Conversation.chat_id).in_(chosen), *idle)
        .values(flow=None, step=None, data={}, updated_at=now)
    )
    return int(result.rowcount or 0)


async def forget_chat(session: AsyncSession, chat_id: int, now: datetime) -> None:
    """A discarded draft leaves nothing behind: the chat's handled updates go, its settled
    messages are emptied, and those still to send are forgotten once delivered."""
    await session.exec(
        delete(InboxEvent).where(
            col(InboxEvent.chat_id) == chat_id, col(InboxEvent.status) != InboxStatus.PENDING
        )
    )
    await _forget_messages(session, col(OutboxMessage.chat_id) == chat_id, now)


async def forget_case_messages(session: AsyncSession, case: Case, now: datetime) -> None:
    """An anonymised case leaves no copy in the outbox: every message not yet forgotten that
    names its number (alerts, escalations, cards, notices, digests) is emptied, or forgotten
    once delivered."""
    named = cast(OutboxMessage.payload, Text).like(f"%{case.number}%")
    await _forget_messages(session, named & col(OutboxMessage.forgotten_at).is_(None), now)


async def _forget_messages(
    session: AsyncSession, which: ColumnElement[bool], now: datetime
) -> None:
    """Settled messages among ``which`` are emptied now, the others once delivered."""
    settled = col(OutboxMessage.status).in_(SETTLED)
    await _forget(session, which & settled & col(OutboxMessage.forgotten_at).is_(None), now)
    await session.exec(update(OutboxMessage).where(which, ~settled).values(forget_on_delivery=True))


async def _forget(session: AsyncSession, which: ColumnElement[bool], now: datetime) -> int:
    result = await session.exec(
        update(OutboxMessage).where(which).values(payload=FORGOTTEN, forgotten_at=now)
    )
    return int(result.rowcount or 0)
