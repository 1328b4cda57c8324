"""Reading and writing cases, their numbers, events and attachments."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.ports_filing import SentFile
from storage.models import (
    Attachment,
    AttachmentRole,
    Case,
    CaseCounter,
    CaseEvent,
    Department,
)
from storage.upsert import insert_for

__all__ = [
    "add_attachments",
    "add_case_event",
    "case_attachments",
    "count_cases_since",
    "list_worker_cases",
    "next_case_number",
]


async def next_case_number(session: AsyncSession, prefix: str, year: int) -> str:
    """``DX-2026-000042``: a per-year sequence that two instances can never hand out twice."""
    statement = (
        insert_for(session, CaseCounter)
        .values(prefix=prefix, year=year, last=1)
        .on_conflict_do_update(
            index_elements=["prefix", "year"], set_={"last": CaseCounter.last + 1}
        )
        .returning(CaseCounter.last)
    )
    sequence = (await session.exec(statement)).scalar_one()
    return f"{prefix}-{year}-{sequence:06d}"


async def add_case_event(
    session: AsyncSession,
    case: Case,
    *,
    actor: str,
    kind: str,
    at: datetime,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    assert case.id is not None
    event = CaseEvent(case_id=case.id, actor=actor, kind=kind, data=data or {}, created_at=at)
    session.add(event)
    return event


async def add_attachments(
    session: AsyncSession,
    case_id: int,
    files: Sequence[SentFile],
    at: datetime,
    *,
    role: AttachmentRole = AttachmentRole.EVIDENCE,
) -> None:
    """The files sent with a report on the case, each pending its fetch into the case file
    store: due at once, so the fetcher takes it on its next round."""
    for file in files:
        session.add(
            Attachment(
                case_id=case_id,
                kind=file.kind,
                role=role,
                file_id=file.file_id,
                file_unique_id=file.file_unique_id,
                file_name=file.file_name,
                mime_type=file.mime_type,
                size=file.size,
                duration=file.duration,
                created_at=at,
                fetch_due_at=at,
            )
        )


async def case_attachments(session: AsyncSession, case_id: int) -> Sequence[Attachment]:
    """The case's files in the order the worker sent them: the story told by voice first."""
    statement = (
        select(Attachment)
        .where(col(Attachment.case_id) == case_id)
        .order_by(col(Attachment.role).desc(), col(Attachment.id))
    )
    return (await session.exec(statement)).all()


async def count_cases_since(session: AsyncSession, worker_id: int, since: datetime) -> int:
    statement = select(func.count()).where(
        col(Case.worker_id) == worker_id, col(Case.created_at) >= since
    )
    return (await session.exec(statement)).one()


async def list_worker_cases(
    session: AsyncSession, worker_id: int, limit: int = 10
) -> Sequence[tuple[Case, Department]]:
    statement = (
        select(Case, Department)
        .join(Department, col(Department.id) == col(Case.department_id))
        .where(col(Case.worker_id) == worker_id)
        .order_by(col(Case.created_at).desc(), col(Case.id).desc())
        .limit(limit)
    )
    return (await session.exec(statement)).all()
