"""Visits to a reception point (约访): which slots are offered, who may take a place, and until
when a booking can be cancelled.

Slots are the usual public-office hours on the next few working days, in the points' time
zone. A slot holds a point's ``visits_per_slot`` workers; a worker holds at most a set number
of upcoming visits per point, so that one person cannot take every place; a visit can be
cancelled by the worker who booked it until it begins. Each rule that says no raises a
``Refusal`` naming the text its door shows.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.domain.errors import N_, Refusal, Stale
from handlers.domain.office_hours import OFFICE_SLOTS, working_days

__all__ = [
    "DAYS_OFFERED",
    "NOT_OFFERED",
    "AlreadyBooked",
    "ShareUsed",
    "SlotFull",
    "SlotNotOffered",
    "Visit",
    "day_slots",
    "ensure_cancellable",
    "ensure_may_book",
    "ensure_offered",
    "ensure_room",
    "has_room",
    "is_offered",
    "offered_days",
    "reminder_at",
]

DAYS_OFFERED = 5
REMINDER_AHEAD = timedelta(days=1)
NOT_OFFERED = N_("That time can no longer be booked. Please choose again.")
INACTIVE = N_("This button is no longer active.")


@dataclass(frozen=True, slots=True)
class Visit:
    """A worker's booking of one slot at one point."""

    id: int
    worker_id: int
    point: str
    """The reception point's code in the routing file."""
    slot_at: datetime
    booked: bool
    """Still booked; otherwise cancelled by the worker."""


class SlotNotOffered(Stale):
    """The slot is not one the bot offers now (past, too far ahead, not an office hour)."""

    def __init__(self) -> None:
        super().__init__(NOT_OFFERED)


class SlotFull(Stale):
    """Every place of the slot was taken since it was offered."""

    def __init__(self) -> None:
        super().__init__(N_("That time has just been fully booked. Please choose another."))


class AlreadyBooked(Stale):
    """The worker holds this very slot already (a second press of the same Book button)."""

    def __init__(self) -> None:
        super().__init__(N_("You have already booked this visit."))


class ShareUsed(Refusal):
    """The worker holds their share of upcoming visits at the point: ``visits``, soonest first."""

    def __init__(self, share: int, visits: Sequence[Visit]) -> None:
        super().__init__(N_("To book another time, cancel one first."))
        self.share = share
        self.visits = tuple(visits)


def offered_days(today: date) -> list[date]:
    """The days a worker may choose on ``today`` (local): the next working days."""
    return working_days(today, DAYS_OFFERED)


def day_slots(day: date, zone: ZoneInfo) -> list[datetime]:
    """Every slot of ``day`` in ``zone``, earliest first, whether full or not."""
    return [datetime.combine(day, start, zone) for start in OFFICE_SLOTS]


def is_offered(slot: datetime, now: datetime, zone: ZoneInfo) -> bool:
    """Whether ``slot`` is one offered at ``now`` by points working in ``zone``."""
    local = slot.astimezone(zone)
    return local.date() in offered_days(now.astimezone(zone).date()) and local in day_slots(
        local.date(), zone
    )


def ensure_offered(slot: datetime, now: datetime, zone: ZoneInfo) -> None:
    if not is_offered(slot, now, zone):
        raise SlotNotOffered()


def has_room(booked: int, capacity: int) -> bool:
    """A slot with ``booked`` visits has room for one more, out of ``capacity`` places."""
    return booked < capacity


def ensure_room(booked: int, capacity: int) -> None:
    if not has_room(booked, capacity):
        raise SlotFull()


def ensure_may_book(upcoming: Sequence[Visit], share: int, slot: datetime | None = None) -> None:
    """A worker holding ``upcoming`` visits at a point may book ``slot`` there (or, with no
    slot, some slot): not one they hold already, and not beyond their ``share``."""
    if slot is not None and any(visit.slot_at == slot for visit in upcoming):
        raise AlreadyBooked()
    if len(upcoming) >= share:
        raise ShareUsed(share, upcoming)


def ensure_cancellable(visit: Visit | None, worker_id: int, now: datetime) -> Visit:
    """``visit`` as the worker ``worker_id`` may cancel it at ``now``: their own, still booked,
    not yet begun. Someone else's (or none) is a forged button."""
    if visit is None or visit.worker_id != worker_id:
        raise Stale(INACTIVE)
    if not visit.booked or visit.slot_at <= now:
        raise Stale(N_("This visit is no longer booked."))
    return visit


def reminder_at(slot: datetime, now: datetime) -> datetime | None:
    """When a visit booked at ``now`` is reminded of: the day before, unless that has passed."""
    at = slot - REMINDER_AHEAD
    return at if at > now else None
