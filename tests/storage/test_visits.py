"""Bookings of a reception point's slot: its last place goes to one worker, never two; and the
repositories that hand them to use cases as plain visits."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from handlers.domain.visits import Visit
from storage.db import Database
from storage.models import DueTask, VisitBooking, Worker
from storage.repositories.due import SqlDueWriter
from storage.repositories.visits import SqlVisitBook
from storage.visits import booked_per_slot, hold_slot, hold_worker_visits, upcoming_visits

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


async def test_one_worker_racing_for_two_slots_keeps_to_their_share(db: Database) -> None:
    async with db.transaction() as session:
        worker = Worker(telegram_user_id=1, chat_id=1, created_at=SLOT)
        session.add(worker)
    assert worker.id is not None
    share = 1

    async def book(slot: datetime) -> bool:
        assert worker.id is not None
        async with db.transaction() as session:
            await hold_worker_visits(session, worker.id, POINT)
            held = await upcoming_visits(session, worker.id, POINT, SLOT - timedelta(days=1))
            await asyncio.sleep(0.2)  # the other transaction is counting meanwhile
            if len(held) >= share:
                return False
            await hold_slot(session, POINT, slot)
            session.add(
                VisitBooking(worker_id=worker.id, point=POINT, slot_at=slot, created_at=SLOT)
            )
            return True

    outcomes = await asyncio.gather(book(SLOT), book(SLOT + timedelta(hours=1)))
    async with db.reader() as session:
        rows = (await session.exec(select(VisitBooking))).all()
    assert sorted(outcomes) == [False, True]
    assert len(rows) == 1


async def test_the_visit_book_hands_out_plain_visits_and_cancels_them(db: Database) -> None:
    async with db.transaction() as session:
        worker = Worker(telegram_user_id=1, chat_id=1, created_at=SLOT)
        session.add(worker)
        await session.flush()
        assert worker.id is not None
        book = SqlVisitBook(session)
        added = await book.add(worker.id, POINT, SLOT, at=SLOT - timedelta(days=2))
        assert added == Visit(added.id, worker.id, POINT, SLOT, booked=True)
        assert await book.upcoming(worker.id, POINT, SLOT - timedelta(days=1)) == [added]
        assert await book.booked_per_slot(POINT, SLOT, SLOT) == {SLOT: 1}
        await book.cancel(added.id)
        assert await book.held(added.id) == replace(added, booked=False)
    async with db.reader() as session:
        (row,) = (await session.exec(select(VisitBooking))).all()
        assert (row.status, await SqlVisitBook(session).find(added.id + 1)) == ("cancelled", None)


async def test_due_work_is_planned_once_per_subject_and_cancelled_by_its_kind(db: Database) -> None:
    async with db.transaction() as session:
        due = SqlDueWriter(session)
        await due.schedule("visit_reminder", "visit:1", SLOT - timedelta(days=2), SLOT)
        await due.schedule("visit_reminder", "visit:1", SLOT - timedelta(days=1), SLOT)
        await due.schedule("other", "visit:1", SLOT, SLOT)
        await due.cancel("visit_reminder", "visit:1")
    async with db.reader() as session:
        tasks = (await session.exec(select(DueTask).order_by(col(DueTask.kind)))).all()
    assert [(task.kind, task.status) for task in tasks] == [
        ("other", "pending"),
        ("visit_reminder", "cancelled"),
    ]
    assert tasks[1].due_at == SLOT - timedelta(days=1)
