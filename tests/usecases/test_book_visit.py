"""Booking a visit to a reception point, on the fakes: what is booked, refused and planned."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.domain.visits import AlreadyBooked, ShareUsed, SlotFull, SlotNotOffered, Visit
from handlers.usecases.book_visit import BookVisit, book_visit, ensure_free_to_book, open_slots
from handlers.usecases.remind_visit import REMINDER
from tests.fakes.due import FakeDueWriter
from tests.fakes.visits import FakeVisitBook

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)
"""Thursday 2026-11-26, 10:00 at the points."""
SLOT = datetime(2026, 11, 30, 10, tzinfo=ZONE)
"""Monday, the second day offered."""
POINT = "anding.construction"
WORKER = 7
REQUEST = BookVisit(point=POINT, capacity=2, share=1, slot=SLOT, now=NOW, zone=ZONE)


@pytest.fixture
def visits() -> FakeVisitBook:
    return FakeVisitBook()


@pytest.fixture
def due() -> FakeDueWriter:
    return FakeDueWriter()


async def test_an_offered_slot_with_a_place_left_is_booked_and_reminded_the_day_before(
    visits: FakeVisitBook, due: FakeDueWriter
) -> None:
    visits.put(WORKER + 1, POINT, SLOT)
    booked = await book_visit(WORKER, REQUEST, visits, due)
    assert booked.visit == Visit(2, WORKER, POINT, SLOT, booked=True)
    assert visits.visits[2] == booked.visit
    assert booked.reminder_at == SLOT - timedelta(days=1)
    assert due.pending == {(REMINDER, "visit:2"): SLOT - timedelta(days=1)}


async def test_the_workers_visits_then_the_slot_are_held_before_counting(
    visits: FakeVisitBook, due: FakeDueWriter
) -> None:
    await book_visit(WORKER, REQUEST, visits, due)
    assert visits.holds == [("worker", WORKER, POINT), ("slot", POINT, SLOT)]


async def test_a_visit_less_than_a_day_ahead_is_booked_without_a_reminder(
    visits: FakeVisitBook, due: FakeDueWriter
) -> None:
    tomorrow_nine = datetime(2026, 11, 27, 9, tzinfo=ZONE)  # 23 hours ahead
    booked = await book_visit(WORKER, replace(REQUEST, slot=tomorrow_nine), visits, due)
    assert booked.visit.booked and booked.reminder_at is None
    assert due.pending == {}


async def test_a_full_slot_is_refused_and_nothing_is_booked(
    visits: FakeVisitBook, due: FakeDueWriter
) -> None:
    for other in (1, 2):
        visits.put(other, POINT, SLOT)
    with pytest.raises(SlotFull):
        await book_visit(WORKER, REQUEST, visits, due)
    assert [visit.worker_id for visit in visits.visits.values()] == [1, 2]
    assert due.pending == {}


async def test_cancelled_visits_leave_their_place_free(
    visits: FakeVisitBook, due: FakeDueWriter
) -> None:
    visits.put(1, POINT, SLOT)
    visits.put(2, POINT, SLOT, booked=False)
    assert (await book_visit(WORKER, REQUEST, visits, due)).visit.slot_at == SLOT


@pytest.mark.parametrize(
    "slot",
    [
        pytest.param(datetime(2026, 11, 26, 11, tzinfo=ZONE), id="later-today"),
        pytest.param(datetime(2026, 11, 25, 10, tzinfo=ZONE), id="past"),
        pytest.param(datetime(2026, 11, 28, 10, tzinfo=ZONE), id="saturday"),
        pytest.param(datetime(2026, 12, 4, 10, tzinfo=ZONE), id="beyond-the-days-offered"),
        pytest.param(datetime(2026, 11, 30, 13, tzinfo=ZONE), id="lunch-hour"),
        pytest.param(datetime(2026, 11, 30, 10, 30, tzinfo=ZONE), id="not-on-the-hour"),
    ],
)
async def test_a_slot_not_offered_now_is_refused(
    visits: FakeVisitBook, due: FakeDueWriter, slot: datetime
) -> None:
    with pytest.raises(SlotNotOffered):
        await book_visit(WORKER, replace(REQUEST, slot=slot), visits, due)
    assert visits.visits == {} and visits.holds == [] and due.pending == {}


async def test_an_offered_slot_named_in_another_zone_is_the_same_slot(
    visits: FakeVisitBook, due: FakeDueWriter
) -> None:
    booked = await book_visit(WORKER, replace(REQUEST, slot=SLOT.astimezone(UTC)), visits, due)
    assert booked.visit.slot_at == SLOT


async def test_a_worker_at_their_share_is_refused_and_shown_their_visits(
    visits: FakeVisitBook, due: FakeDueWriter
) -> None:
    held = visits.put(WORKER, POINT, SLOT + timedelta(hours=1))
    with pytest.raises(ShareUsed) as refused:
        await book_visit(WORKER, REQUEST, visits, due)
    assert (refused.value.share, refused.value.visits) == (1, (held,))
    assert list(visits.visits.values()) == [held]
    assert visits.holds == [("worker", WORKER, POINT)], "refused before the slot is held"


async def test_the_share_is_per_point_and_counts_only_visits_still_booked_and_ahead(
    visits: FakeVisitBook, due: FakeDueWriter
) -> None:
    visits.put(WORKER, "anding.labour", SLOT)
    visits.put(WORKER, POINT, SLOT + timedelta(hours=1), booked=False)
    visits.put(WORKER, POINT, NOW - timedelta(hours=1))
    assert (await book_visit(WORKER, REQUEST, visits, due)).visit.point == POINT


async def test_a_larger_share_lets_a_worker_book_another_slot(
    visits: FakeVisitBook, due: FakeDueWriter
) -> None:
    visits.put(WORKER, POINT, SLOT + timedelta(hours=1))
    booked = await book_visit(WORKER, replace(REQUEST, share=2), visits, due)
    assert booked.visit.slot_at == SLOT


async def test_the_same_slot_booked_twice_is_refused_as_already_booked(
    visits: FakeVisitBook, due: FakeDueWriter
) -> None:
    await book_visit(WORKER, replace(REQUEST, share=2), visits, due)
    with pytest.raises(AlreadyBooked):
        await book_visit(WORKER, replace(REQUEST, share=2), visits, due)
    assert len(visits.visits) == 1


async def test_a_worker_within_their_share_is_free_to_choose_a_day(
    visits: FakeVisitBook,
) -> None:
    await ensure_free_to_book(WORKER, POINT, 1, NOW, visits)
    visits.put(WORKER, POINT, SLOT)
    with pytest.raises(ShareUsed):
        await ensure_free_to_book(WORKER, POINT, 1, NOW, visits)


async def test_the_open_slots_of_a_day_are_those_with_a_place_left(
    visits: FakeVisitBook,
) -> None:
    for other in (1, 2):
        visits.put(other, POINT, SLOT)
    visits.put(3, POINT, SLOT + timedelta(hours=1))
    visits.put(4, "anding.labour", SLOT + timedelta(hours=4))
    slots = await open_slots(POINT, 2, date(2026, 11, 30), ZONE, visits)
    assert [slot.hour for slot in slots] == [9, 11, 14, 15, 16]
