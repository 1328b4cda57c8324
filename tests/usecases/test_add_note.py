"""A note: anyone who may see the case may add one while it is open; the worker is told only
when the note is meant for them."""

from dataclasses import replace

import pytest

from handlers.domain.cases import CaseStatus
from handlers.domain.errors import CaseClosed, NotAllowed
from handlers.domain.ids import CaseId
from handlers.usecases.add_note import Note, add_note
from tests.fakes.cases import FakeCaseBook, FakeCaseTrail
from tests.fakes.people import FILED, OTHER, handler, supervisor

CASE = CaseId(1)


@pytest.mark.parametrize("worker_sees", [True, False])
async def test_the_note_is_on_the_trail_and_the_worker_told_if_meant_for_them(
    cases: FakeCaseBook, trail: FakeCaseTrail, worker_sees: bool
) -> None:
    before = cases.cases[CASE]
    added = await add_note(
        handler(), Note(CASE, "Called the employer.", worker_sees, FILED), cases=cases, trail=trail
    )
    assert added.worker_told is worker_sees
    assert (added.author, added.text) == ("Officer Li", "Called the employer.")
    assert cases.cases[CASE] == before
    (event,) = trail.events
    assert (event.actor, event.kind) == ("staff:1", "note")
    assert event.data == {"text": "Called the employer.", "worker_sees": worker_sees}


async def test_a_supervisor_may_comment(cases: FakeCaseBook, trail: FakeCaseTrail) -> None:
    await add_note(supervisor(), Note(CASE, "Seen.", False, FILED), cases=cases, trail=trail)
    assert trail.kinds == ["note"]


async def test_other_departments_may_not(cases: FakeCaseBook, trail: FakeCaseTrail) -> None:
    with pytest.raises(NotAllowed):
        await add_note(handler(OTHER), Note(CASE, "x", False, FILED), cases=cases, trail=trail)
    assert trail.events == []


async def test_no_note_on_a_closed_case(cases: FakeCaseBook, trail: FakeCaseTrail) -> None:
    cases.add(replace(cases.cases[CASE], status=CaseStatus.REJECTED))
    with pytest.raises(CaseClosed):
        await add_note(handler(), Note(CASE, "x", True, FILED), cases=cases, trail=trail)
    assert trail.events == []
