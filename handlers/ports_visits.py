"""The port through which visits to reception points are booked and cancelled."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from handlers.domain.visits import Visit

__all__ = ["VisitBook"]


class VisitBook(Protocol):
    """The points' books of visits.

    Two bookings taking the last place at once must not both get it: a booking first holds the
    worker's visits at the point, then the slot, each until the unit of work ends (always in
    that order), and counts only after holding.
    """

    async def booked_per_slot(
        self, point: str, first: datetime, last: datetime
    ) -> Mapping[datetime, int]:
        """Booked visits at ``point`` per slot start, for slots from ``first`` up to ``last``."""
        ...

    async def upcoming(self, worker_id: int, point: str, now: datetime) -> Sequence[Visit]:
        """The worker's visits at ``point`` still booked and not yet begun, soonest first."""
        ...

    async def hold_worker(self, worker_id: int, point: str) -> None:
        """Until the unit of work ends, nobody else books ``worker_id`` at ``point``."""
        ...

    async def hold_slot(self, point: str, slot_at: datetime) -> None:
        """Until the unit of work ends, nobody else books ``point`` at ``slot_at``."""
        ...

    async def add(self, worker_id: int, point: str, slot_at: datetime, at: datetime) -> Visit:
        """Book ``slot_at`` at ``point`` for the worker, at the time ``at``."""
        ...

    async def find(self, visit_id: int) -> Visit | None: ...

    async def held(self, visit_id: int) -> Visit | None:
        """The visit, held against other changes until the unit of work ends."""
        ...

    async def cancel(self, visit_id: int) -> None: ...
