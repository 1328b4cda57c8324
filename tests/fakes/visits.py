"""``VisitBook`` in memory: the points' books as a dict, and a log of what was held."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from handlers.domain.visits import Visit

__all__ = ["FakeVisitBook"]


@dataclass
class FakeVisitBook:
    visits: dict[int, Visit] = field(default_factory=dict)
    holds: list[tuple[object, ...]] = field(default_factory=list)
    """What was held, in order: ``("worker", id, point)``, ``("slot", point, at)``,
    ``("visit", id)``."""

    def put(self, worker_id: int, point: str, slot_at: datetime, *, booked: bool = True) -> Visit:
        """A visit already in the book (no hold, as if booked in another unit of work)."""
        visit = Visit(len(self.visits) + 1, worker_id, point, slot_at, booked)
        self.visits[visit.id] = visit
        return visit

    async def booked_per_slot(
        self, point: str, first: datetime, last: datetime
    ) -> Mapping[datetime, int]:
        return Counter(
            visit.slot_at
            for visit in self.visits.values()
            if visit.point == point and visit.booked and first <= visit.slot_at <= last
        )

    async def upcoming(self, worker_id: int, point: str, now: datetime) -> Sequence[Visit]:
        mine = [
            visit
            for visit in self.visits.values()
            if (visit.worker_id, visit.point) == (worker_id, point)
            and visit.booked
            and visit.slot_at > now
        ]
        return sorted(mine, key=lambda visit: (visit.slot_at, visit.id))

    async def hold_worker(self, worker_id: int, point: str) -> None:
        self.holds.append(("worker", worker_id, point))

    async def hold_slot(self, point: str, slot_at: datetime) -> None:
        self.holds.append(("slot", point, slot_at))

    async def add(self, worker_id: int, point: str, slot_at: datetime, at: datetime) -> Visit:
        return self.put(worker_id, point, slot_at)

    async def find(self, visit_id: int) -> Visit | None:
        return self.visits.get(visit_id)

    async def held(self, visit_id: int) -> Visit | None:
        self.holds.append(("visit", visit_id))
        return self.visits.get(visit_id)

    async def cancel(self, visit_id: int) -> None:
        self.visits[visit_id] = replace(self.visits[visit_id], booked=False)
