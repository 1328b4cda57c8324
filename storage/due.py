"""Due work: rows with a time, claimed once by whichever instance gets there first."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import DueStatus, DueTask
from storage.upsert import insert_for, skip_locked

__all__ = ["cancel", "claim_due_tasks", "finish_task", "schedule", "schedule_once"]


async def schedule(
    session: AsyncSession,
    kind: str,
    subject: str,
    due_at: datetime,
    at: datetime,
    *,
    case_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Plan ``kind`` for ``subject`` (e.g. ``case:42``) at ``due_at``; planning twice changes
    the time of the pending task rather than adding a second one."""
    await session.exec(
        insert_for(session, DueTask)
        .values(
            kind=kind,
            subject=subject,
            case_id=case_id,
            due_at=due_at,
            status=DueStatus.PENDING,
            attempts=0,
            data=data or {},
            created_at=at,
        )
        .on_conflict_do_update(
            index_elements=["kind", "subject"],
            set_={"due_at": due_at, "status": DueStatus.PENDING, "data": data or {}},
        )
    )


async def schedule_once(
    session: AsyncSession, kind: str, subject: str, due_at: datetime, at: datetime
) -> None:
    """Plan ``kind`` for ``subject`` unless it is planned or done already: for work that must
    happen once (a day's digest, a week's report), where ``schedule`` would revive it."""
    await session.exec(
        insert_for(session, DueTask)
        .values(
            kind=kind,
            subject=subject,
            due_at=due_at,
            status=DueStatus.PENDING,
            attempts=0,
            data={},
            created_at=at,
        )
        .on_conflict_do_nothing(index_elements=["kind", "subject"])
    )


async def cancel(session: AsyncSession, subject: str, kinds: Sequence[str] | None = None) -> None:
    """Drop pending work about ``subject`` (a case closed, a consultation moved)."""
    statement = update(DueTask).where(
        col(DueTask.subject) == subject, col(DueTask.status) == DueStatus.PENDING
    )
    if kinds is not None:
        statement = statement.where(col(DueTask.kind).in_(kinds))
    await session.exec(statement.values(status=DueStatus.CANCELLED))


async def claim_due_tasks(session: AsyncSession, now: datetime, limit: int) -> Sequence[DueTask]:
    """Due rows, locked for this transaction (``SKIP LOCKED``: two instances never share one).

    On SQLite the process-wide write lock gives the same guarantee.
    """
    statement = (
        select(DueTask)
        .where(col(DueTask.status) == DueStatus.PENDING, col(DueTask.due_at) <= now)
        .order_by(col(DueTask.due_at), col(DueTask.id))
        .limit(limit)
    )
    return (await session.exec(skip_locked(session, statement))).all()


async def finish_task(
    session: AsyncSession, task: DueTask, status: DueStatus, at: datetime, error: str | None = None
) -> None:
    task.status, task.done_at, task.error = status, at, error
    task.attempts += 1
    session.add(task)
