"""Visits booked at reception points: how full each slot is, and one booking at a time per slot.

A slot holds a point's ``visits_per_slot`` workers, and a worker holds at most a set number of
upcoming visits per point. Two bookings taking the last place at once must not both get it:
on PostgreSQL the booking transaction takes a lock named for the worker and point, then one
named for the point and slot (always in that order; released at commit); SQLite already lets
one writer in at a time.
"""

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import VisitBooking, VisitStatus

__all__ = ["booked_per_slot", "hold_slot", "hold_worker_visits", "upcoming_visits"]


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


async def upcoming_visits(
    session: AsyncSession, worker_id: int, point: str, now: datetime
) -> list[VisitBooking]:
    """The worker's visits at ``point`` still booked and not yet begun, soonest first."""
    statement = (
        select(VisitBooking)
        .where(
            col(VisitBooking.worker_id) == worker_id,
            col(VisitBooking.point) == point,
            col(VisitBooking.status) == VisitStatus.BOOKED,
            col(VisitBooking.slot_at) > now,
        )
        .order_by(col(VisitBooking.slot_at), col(VisitBooking.id))
    )
    return list((await session.exec(statement)).all())


async def hold_worker_visits(session: AsyncSession, worker_id: int, point: str) -> None:
    """Until this transaction ends, no other transaction books ``worker_id`` at ``point``.
    Take it before :func:`hold_slot`."""
    await _hold(session, f"visits:{worker_id}:{point}")


async def hold_slot(session: AsyncSession, point: str, slot_at: datetime) -> None:
    """Until this transaction ends, no other transaction books ``point`` at ``slot_at``."""
    await _hold(session, f"visit:{point}:{slot_at.isoformat()}")


async def _hold(session: AsyncSession, name: str) -> None:
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return
    await session.exec(select(func.pg_advisory_xact_lock(func.hashtext(name))))
