"""``VisitBook`` over the ``visitbooking`` table and the locks of ``storage.visits``."""

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.domain.visits import Visit
from storage import visits
from storage.models import VisitBooking, VisitStatus

__all__ = ["SqlVisitBook"]


class SqlVisitBook:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def booked_per_slot(
        self, point: str, first: datetime, last: datetime
    ) -> Mapping[datetime, int]:
        return await visits.booked_per_slot(self._session, point, first, last)

    async def upcoming(self, worker_id: int, point: str, now: datetime) -> Sequence[Visit]:
        rows = await visits.upcoming_visits(self._session, worker_id, point, now)
        return [plain(row) for row in rows]

    async def hold_worker(self, worker_id: int, point: str) -> None:
        await visits.hold_worker_visits(self._session, worker_id, point)

    async def hold_slot(self, point: str, slot_at: datetime) -> None:
        await visits.hold_slot(self._session, point, slot_at)

    async def add(self, worker_id: int, point: str, slot_at: datetime, at: datetime) -> Visit:
        row = VisitBooking(worker_id=worker_id, point=point, slot_at=slot_at, created_at=at)
        self._session.add(row)
        await self._session.flush()
        return plain(row)

    async def find(self, visit_id: int) -> Visit | None:
        row = await self._session.get(VisitBooking, visit_id)
        return None if row is None else plain(row)

    async def held(self, visit_id: int) -> Visit | None:
        row = await self._session.get(VisitBooking, visit_id, with_for_update=True)
        return None if row is None else plain(row)

    async def cancel(self, visit_id: int) -> None:
        row = await self._session.get(VisitBooking, visit_id)
        assert row is not None, f"visit {visit_id} was cancelled without being found"
        row.status = VisitStatus.CANCELLED
        self._session.add(row)


def plain(row: VisitBooking) -> Visit:
    assert row.id is not None
    return Visit(
        id=row.id,
        worker_id=row.worker_id,
        point=row.point,
        slot_at=row.slot_at,
        booked=row.status == VisitStatus.BOOKED,
    )
