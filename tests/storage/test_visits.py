"""Bookings of a reception point's slot: its last place goes to one worker, never two."""

import asyncio
from datetime import UTC, datetime

from sqlmodel import select

from storage.db import Database
from storage.models import VisitBooking, Worker
from storage.visits import booked_per_slot, hold_slot

SLOT = datetime(2026, 11, 30, 2, tzinfo=UTC)
POINT = "anding.construction"


async def test_two_workers_racing_for_a_slots_last_place_get_one_booking(db: Database) -> None:
    async with db.transaction() as session:
        workers = [Worker(telegram_user_id=n, chat_id=n, created_at=SLOT) for n in (1, 2)]
        session.add_all(workers)
    capacity = 1

    async def book(worker: Worker) -> bool:
        async with db.transaction() as session:
            await hold_slot(session, POINT, SLOT)
            booked = await booked_per_slot(session, POINT, SLOT, SLOT)
            await asyncio.sleep(0.2)  # the other transaction is counting meanwhile
            if booked.get(SLOT, 0) >= capacity:
                return False
            assert worker.id is not None
            session.add(
                VisitBooking(worker_id=worker.id, point=POINT, slot_at=SLOT, created_at=SLOT)
            )
            return True

    outcomes = await asyncio.gather(*(book(worker) for worker in workers))
    async with db.reader() as session:
        rows = (await session.exec(select(VisitBooking))).all()
    assert sorted(outcomes) == [False, True]
    assert len(rows) == 1
