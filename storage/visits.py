"""Visits booked at reception points: how full each slot is, and one booking at a time per slot.

A slot holds a point's ``visits_per_slot`` workers. Two workers booking its last place at once
must not both get it: on PostgreSQL the booking transaction takes a lock named for the point
and slot (released at commit); SQLite already lets one writer in at a time.
"""

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import VisitBooking, VisitStatus

__all__ = ["booked_per_slot", "hold_slot"]


async def booked_per_slot(
    session: AsyncSession, point: str, first: datetime, last: datetime
) -> Mapping[datetime, int]:
    """Booked visits at ``point`` per slot start, for slots from ``first`` up to ``last``."""
    statement = (
        select(col(VisitBooking.slot_at), func.count())
        .where(
            col(VisitBooking.point) == point,
            col(VisitBooking.status) == VisitStatus.BOOKED,
            col(VisitBooking.slot_at) >= first,
            col(VisitBooking.slot_at) <= last,
        )
        .group_by(col(VisitBooking.slot_at))
    )
    return {slot_at: count for slot_at, count in (await session.exec(statement)).all()}


async def hold_slot(session: AsyncSession, point: str, slot_at: datetime) -> None:
    """Until this transaction ends, no other transaction books ``point`` at ``slot_at``."""
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return
    name = f"visit:{point}:{slot_at.isoformat()}"
    await session.exec(select(func.pg_advisory_xact_lock(func.hashtext(name))))
