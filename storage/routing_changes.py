"""Keeping stored codes in step with the routing file when a code is renamed or dropped.

Cases, staff, invites and bookings store the codes of counties, departments and reception
points. When the file renames one (``renamed_from``), :func:`apply_renames` rewrites the stored
codes at start-up, in the transaction that mirrors the departments, so every query (a county
lead's cases, a department's digest) finds them under the new code. The audit trail is left as
written. :func:`codes_in_use` tells what the bot still needs a code for, so a code the file
lost can be refused before anything breaks.
"""

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Case,
    Conversation,
    Department,
    Invite,
    Staff,
    VisitBooking,
    VisitStatus,
)

__all__ = [
    "CodeUse",
    "apply_renames",
    "codes_in_use",
    "draft_codes",
    "open_case_numbers",
]


async def apply_renames(
    session: AsyncSession,
    *,
    counties: Mapping[str, str],
    departments: Mapping[str, str],
    reception_points: Mapping[str, str],
) -> None:
    """Rewrite old codes (old → new) wherever they are stored; run before mirroring the
    departments. A department renamed onto one that exists is merged into it."""
    for old, new in departments.items():
        await _rename_department(session, old, new)
    for old, new in counties.items():
        for table, county in (
            (Case, col(Case.county)),
            (Staff, col(Staff.county)),
            (Invite, col(Invite.county)),
            (Department, col(Department.county)),
        ):
            await session.exec(update(table).where(county == old).values(county=new))
    for old, new in reception_points.items():
        await session.exec(
            update(VisitBooking).where(col(VisitBooking.point) == old).values(point=new)
        )


async def _rename_department(session: AsyncSession, old: str, new: str) -> None:
    """Keep the row (and its id, which cases, staff and alerts refer to) under its new code;
    if the new code already has a row, move everything to it and drop the old one."""
    rows = (
        await session.exec(select(Department).where(col(Department.code).in_((old, new))))
    ).all()
    found = {row.code: row for row in rows}
    row, target = found.get(old), found.get(new)
    if row is None:
        return
    if target is None:
        row.code = new
        session.add(row)
    else:
        for table, department in (
            (Case, col(Case.department_id)),
            (Staff, col(Staff.department_id)),
            (Invite, col(Invite.department_id)),
        ):
            await session.exec(
                update(table).where(department == row.id).values(department_id=target.id)
            )
        await session.delete(row)
    await session.flush()


@dataclass
class CodeUse:
    """Who still needs one kind of code, per code: open cases, active staff, invites not
    used yet, drafts in progress, visits still ahead."""

    open_cases: Counter[str] = field(default_factory=Counter)
    staff: Counter[str] = field(default_factory=Counter)
    invites: Counter[str] = field(default_factory=Counter)
    drafts: Counter[str] = field(default_factory=Counter)
    visits: Counter[str] = field(default_factory=Counter)

    def codes(self) -> set[str]:
        counts = (self.open_cases, self.staff, self.invites, self.drafts, self.visits)
        return {code for count in counts for code in count}


async def codes_in_use(
    session: AsyncSession, open_statuses: Collection[str], now: datetime
) -> tuple[CodeUse, CodeUse, CodeUse]:
    """Counties, departments and reception points still in use (drafts are the caller's:
    see :func:`draft_codes`). Counted in the database, so many cases cost one row per code."""
    counties, departments, points = CodeUse(), CodeUse(), CodeUse()
    is_open = col(Case.status).in_(open_statuses)
    counties.open_cases = await _count(session, col(Case.county), is_open)
    departments.open_cases = await _count(
        session, col(Department.code), is_open, join=(Case, Case.department_id == Department.id)
    )
    active = col(Staff.active).is_(True)
    counties.staff = await _count(session, col(Staff.county), active)
    departments.staff = await _count(
        session, col(Department.code), active, join=(Staff, Staff.department_id == Department.id)
    )
    pending = (col(Invite.used_at).is_(None), col(Invite.expires_at) > now)
    counties.invites = await _count(session, col(Invite.county), *pending)
    departments.invites = await _count(
        session,
        col(Department.code),
        *pending,
        join=(Invite, Invite.department_id == Department.id),
    )
    points.visits = await _count(
        session,
        col(VisitBooking.point),
        col(VisitBooking.status) == VisitStatus.BOOKED,
        col(VisitBooking.slot_at) > now,
    )
    return counties, departments, points


async def draft_codes(session: AsyncSession, flow: str, path: tuple[str, ...]) -> Counter[str]:
    """Codes at ``path`` in the data of the conversations in ``flow`` (forms in progress)."""
    value = col(Conversation.data)[path].as_string()
    return await _count(session, value, col(Conversation.flow) == flow)


async def open_case_numbers(
    session: AsyncSession,
    open_statuses: Collection[str],
    limit: int,
    *,
    county: str | None = None,
    department: str | None = None,
) -> list[str]:
    """The first ``limit`` open cases of a county or a department code, by number."""
    statement = select(Case.number).where(col(Case.status).in_(open_statuses))
    if county is not None:
        statement = statement.where(col(Case.county) == county)
    if department is not None:
        statement = statement.join(Department, col(Department.id) == col(Case.department_id))
        statement = statement.where(col(Department.code) == department)
    statement = statement.order_by(col(Case.number)).limit(limit)
    return list((await session.exec(statement)).all())


async def _count(
    session: AsyncSession,
    key: Any,
    *where: ColumnElement[bool],
    join: tuple[Any, Any] | None = None,
) -> Counter[str]:
    statement = select(key, func.count()).where(key.is_not(None), *where).group_by(key)
    if join is not None:
        statement = statement.join(*join)
    rows = (await session.exec(statement)).all()
    return Counter({code: count for code, count in rows if code})
