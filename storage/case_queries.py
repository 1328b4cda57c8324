"""What staff read: open cases in a scope, a page at a time; one case's audit trail.

Lists are paged by offset, not keyset: an open-case board is short (it must reach zero), a
page number reads well to staff ("page 2 of 3"), and a press on a page simply shows the cases
as they are now. Every filter runs on an indexed column (status, department, assignee,
deadline), except the county, which narrows the open cases the status index already found.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Case, CaseCounter, CaseEvent, CaseStatus, Department, Staff

__all__ = [
    "EVERY_CASE",
    "NO_CASE",
    "CasePage",
    "CaseRow",
    "CaseScope",
    "case_events",
    "case_number",
    "cases_numbered",
    "department_ids_for_chat",
    "open_cases_page",
    "staff_names",
]


@dataclass(frozen=True, slots=True)
class CaseScope:
    """Which cases: every field that is set narrows the scope; none set means every case."""

    department_ids: tuple[int, ...] | None = None
    county: str | None = None
    assignee_id: int | None = None

    def admits(self, case: Case) -> bool:
        return (
            (self.department_ids is None or case.department_id in self.department_ids)
            and (self.county is None or case.county == self.county)
            and (self.assignee_id is None or case.assignee_id == self.assignee_id)
        )

    def conditions(self) -> list[ColumnElement[bool]]:
        """The same test as ``admits``, as SQL."""
        found: list[ColumnElement[bool]] = []
        if self.department_ids is not None:
            found.append(col(Case.department_id).in_(self.department_ids))
        if self.county is not None:
            found.append(col(Case.county) == self.county)
        if self.assignee_id is not None:
            found.append(col(Case.assignee_id) == self.assignee_id)
        return found


EVERY_CASE = CaseScope()
NO_CASE = CaseScope(department_ids=())


@dataclass(frozen=True, slots=True)
class CaseRow:
    case: Case
    assignee: str | None
    """The assigned officer's name."""


@dataclass(frozen=True, slots=True)
class CasePage:
    rows: Sequence[CaseRow]
    total: int
    page: int
    """1-based; a page past the end is read as the last page."""
    pages: int


async def open_cases_page(
    session: AsyncSession,
    scopes: Sequence[CaseScope],
    statuses: Collection[str],
    *,
    page: int,
    size: int,
    overdue_at: datetime | None = None,
) -> CasePage:
    """Cases in every one of ``scopes`` with one of ``statuses``, soonest deadline first.

    With ``overdue_at``, only those marked overdue or whose deadline is before that time.
    """
    where: list[ColumnElement[bool]] = [col(Case.status).in_(statuses)]
    where += [condition for scope in scopes for condition in scope.conditions()]
    if overdue_at is not None:
        where.append(
            or_(col(Case.status) == CaseStatus.OVERDUE, col(Case.deadline_at) < overdue_at)
        )
    total = (await session.exec(select(func.count()).select_from(Case).where(*where))).one()
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    statement = (
        select(Case, col(Staff.name))
        .outerjoin(Staff, col(Staff.id) == col(Case.assignee_id))
        .where(*where)
        .order_by(col(Case.deadline_at), col(Case.id))
        .offset((page - 1) * size)
        .limit(size)
    )
    rows = [CaseRow(case, name) for case, name in (await session.exec(statement)).all()]
    return CasePage(rows, total, page, pages)


def case_number(prefix: str, year: int, sequence: int) -> str:
    """``DX-2026-000042``."""
    return f"{prefix}-{year}-{sequence:06d}"


async def cases_numbered(
    session: AsyncSession, prefix: str, sequence: int, year: int | None = None
) -> Sequence[Case]:
    """The case with this number; without a year, that sequence number in every year that
    has reached it (found through the per-year counters), newest first."""
    if year is None:
        statement = select(CaseCounter.year).where(
            CaseCounter.prefix == prefix, CaseCounter.last >= sequence
        )
        years: Sequence[int] = (await session.exec(statement)).all()
    else:
        years = [year]
    numbers = [case_number(prefix, each, sequence) for each in years]
    if not numbers:
        return []
    cases = select(Case).where(col(Case.number).in_(numbers))
    return (await session.exec(cases.order_by(col(Case.number).desc()))).all()


async def department_ids_for_chat(session: AsyncSession, chat_id: int) -> tuple[int, ...]:
    """The departments whose staff group is this chat (several may share one)."""
    statement = select(Department.id).where(Department.chat_id == chat_id)
    return tuple(id_ for id_ in (await session.exec(statement)).all() if id_ is not None)


async def case_events(session: AsyncSession, case_id: int) -> Sequence[CaseEvent]:
    """The whole audit trail of a case, oldest first."""
    statement = (
        select(CaseEvent)
        .where(CaseEvent.case_id == case_id)
        .order_by(col(CaseEvent.created_at), col(CaseEvent.id))
    )
    return (await session.exec(statement)).all()


async def staff_names(session: AsyncSession, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    statement = select(Staff.id, Staff.name).where(col(Staff.id).in_(ids))
    return {id_: name for id_, name in (await session.exec(statement)).all() if id_ is not None}
