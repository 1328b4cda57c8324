"""A worker books a visit to a reception point (约访), and what they may choose on the way.

Raises the refusals of ``handlers.domain.visits``: ``SlotNotOffered``, ``AlreadyBooked``,
``ShareUsed``, ``SlotFull``; nothing is written then.
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.domain.visits import (
    Visit,
    day_slots,
    ensure_may_book,
    ensure_offered,
    ensure_room,
    has_room,
    reminder_at,
)
from handlers.ports_due import DueWriter
from handlers.ports_visits import VisitBook
from handlers.usecases.remind_visit import REMINDER, reminder_subject

__all__ = ["BookVisit", "VisitBooked", "book_visit", "ensure_free_to_book", "open_slots"]


@dataclass(frozen=True, slots=True)
class BookVisit:
    point: str
    """The reception point's code."""
    capacity: int
    """The point's places per slot."""
    share: int
    """How many upcoming visits one worker may hold at one point."""
    slot: datetime
    now: datetime
    zone: ZoneInfo
    """The points' time zone, in which slots are offered."""


@dataclass(frozen=True, slots=True)
class VisitBooked:
    """The visit is booked: the worker is to be told, and the point's staff.

    ``reminder_at`` is when the worker will be reminded (planned as due work), or None for a
    visit less than a day ahead."""

    visit: Visit
    reminder_at: datetime | None


async def book_visit(
    worker_id: int, request: BookVisit, visits: VisitBook, due: DueWriter
) -> VisitBooked:
    """Book the slot if it is offered, the worker is within their share and a place is left;
    counted only once the worker's visits and then the slot are held, so that two bookings at
    once cannot both take the last place or both exceed the share."""
    point, slot, now = request.point, request.slot, request.now
    ensure_offered(slot, now, request.zone)
    await visits.hold_worker(worker_id, point)
    ensure_may_book(await visits.upcoming(worker_id, point, now), request.share, slot)
    await visits.hold_slot(point, slot)
    booked = await visits.booked_per_slot(point, slot, slot)
    ensure_room(booked.get(slot, 0), request.capacity)
    visit = await visits.add(worker_id, point, slot, now)
    remind_at = reminder_at(slot, now)
    if remind_at is not None:
        await due.schedule(REMINDER, reminder_subject(visit.id), remind_at, now)
    return VisitBooked(visit, remind_at)


async def ensure_free_to_book(
    worker_id: int, point: str, share: int, now: datetime, visits: VisitBook
) -> None:
    """Before the worker chooses a day: ``ShareUsed`` (with their visits) if they hold their
    share at ``point`` already."""
    ensure_may_book(await visits.upcoming(worker_id, point, now), share)


async def open_slots(
    point: str, capacity: int, day: date, zone: ZoneInfo, visits: VisitBook
) -> list[datetime]:
    """The slots of ``day`` at ``point`` with a place left, earliest first."""
    starts = day_slots(day, zone)
    booked = await visits.booked_per_slot(point, starts[0], starts[-1])
    return [start for start in starts if has_room(booked.get(start, 0), capacity)]
