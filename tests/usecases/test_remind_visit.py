"""The day-before reminder finds its visit only while the visit is still booked."""

from datetime import UTC, datetime

import pytest

from handlers.usecases.remind_visit import reminder_subject, visit_to_remind
from tests.fakes.visits import FakeVisitBook

SLOT = datetime(2026, 11, 30, 2, tzinfo=UTC)


async def test_a_booked_visit_is_reminded_of() -> None:
    visits = FakeVisitBook()
    visit = visits.put(7, "anding.construction", SLOT)
    assert await visit_to_remind(reminder_subject(visit.id), visits) == visit


async def test_a_cancelled_visit_is_not_reminded_of() -> None:
    visits = FakeVisitBook()
    visit = visits.put(7, "anding.construction", SLOT, booked=False)
    assert await visit_to_remind(reminder_subject(visit.id), visits) is None


@pytest.mark.parametrize("subject", ["visit:2", "visit:", "visit:x", "case:1", "visit:１"])
async def test_a_reminder_about_no_visit_finds_none(subject: str) -> None:
    visits = FakeVisitBook()
    visits.put(7, "anding.construction", SLOT)
    assert await visit_to_remind(subject, visits) is None
