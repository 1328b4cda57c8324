"""Cancelling a visit, on the fakes: the worker's own, until it begins, once."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.domain.errors import Stale
from handlers.usecases.book_visit import BookVisit, book_visit
from handlers.usecases.cancel_visit import CancelVisit, cancel_visit, cancellable_visit
from handlers.usecases.remind_visit import REMINDER
from tests.fakes.due import FakeDueWriter
from tests.fakes.visits import FakeVisitBook

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)
SLOT = datetime(2026, 11, 30, 10, tzinfo=ZONE)
POINT = "anding.construction"
WORKER = 7


@pytest.fixture
def visits() -> FakeVisitBook:
    return FakeVisitBook()


@pytest.fixture
def due() -> FakeDueWriter:
    return FakeDueWriter()


async def booked_visit_id(visits: FakeVisitBook, due: FakeDueWriter) -> int:
    request = BookVisit(point=POINT, capacity=1, share=1, slot=SLOT, now=NOW, zone=ZONE)
    return (await book_visit(WORKER, request, visits, due)).visit.id


async def test_a_booked_visit_is_cancelled_and_its_reminder_dropped(
    visits: FakeVisitBook, due: FakeDueWriter
) -> None:
    visit_id = await booked_visit_id(visits, due)
    assert (REMINDER, f"visit:{visit_id}") in due.pending
    cancelled = await cancel_visit(WORKER, CancelVisit(visit_id, NOW), visits, due)
    assert cancelled.visit.id == visit_id and not cancelled.visit.booked
    assert visits.visits[visit_id] == cancelled.visit
    assert due.pending == {}
    assert ("visit", visit_id) in visits.holds


async def test_a_visit_cancelled_twice_is_stale_the_second_time(
    visits: FakeVisitBook, due: FakeDueWriter
) -> None:
    visit_id = await booked_visit_id(visits, due)
    await cancel_visit(WORKER, CancelVisit(visit_id, NOW), visits, due)
    with pytest.raises(Stale) as refused:
        await cancel_visit(WORKER, CancelVisit(visit_id, NOW), visits, due)
    assert refused.value.message == "This visit is no longer booked."


@pytest.mark.parametrize("after", [timedelta(0), timedelta(minutes=1)])
async def test_a_visit_that_has_begun_can_no_longer_be_cancelled(
    visits: FakeVisitBook, due: FakeDueWriter, after: timedelta
) -> None:
    visit_id = await booked_visit_id(visits, due)
    with pytest.raises(Stale) as refused:
        await cancel_visit(WORKER, CancelVisit(visit_id, SLOT + after), visits, due)
    assert refused.value.message == "This visit is no longer booked."
    assert visits.visits[visit_id].booked
    assert (REMINDER, f"visit:{visit_id}") in due.pending


@pytest.mark.parametrize("worker", [WORKER + 1, None], ids=["someone-else", "no-such-visit"])
async def test_nobody_cancels_a_visit_that_is_not_theirs(
    visits: FakeVisitBook, due: FakeDueWriter, worker: int | None
) -> None:
    visit_id = await booked_visit_id(visits, due)
    asked = visit_id if worker is not None else visit_id + 1
    with pytest.raises(Stale) as refused:
        await cancel_visit(worker or WORKER, CancelVisit(asked, NOW), visits, due)
    assert refused.value.message == "This button is no longer active."
    assert visits.visits[visit_id].booked


async def test_asking_whether_to_cancel_holds_the_visit_and_changes_nothing(
    visits: FakeVisitBook, due: FakeDueWriter
) -> None:
    visit_id = await booked_visit_id(visits, due)
    visit = await cancellable_visit(WORKER, CancelVisit(visit_id, NOW), visits)
    assert visit == visits.visits[visit_id] and visit.booked
    assert visits.holds[-1] == ("visit", visit_id)
    assert (REMINDER, f"visit:{visit_id}") in due.pending
