"""Accepting a case: it becomes the acceptor's and in progress, once."""

from dataclasses import replace

import pytest

from handlers.domain.cases import CaseStatus
from handlers.domain.errors import CaseClosed, NotAllowed, Stale
from handlers.domain.ids import CaseId, StaffId
from handlers.domain.permissions import Actor
from handlers.usecases.accept_case import Acceptance, accept_case
from tests.fakes.cases import FakeCaseBook, FakeCaseTrail
from tests.fakes.people import FILED, OTHER, admin, handler, supervisor

CASE = CaseId(1)
PRESSED = Acceptance(CASE, FILED)


async def test_the_case_becomes_the_handlers_and_in_progress(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    accepted = await accept_case(handler(), PRESSED, cases=cases, trail=trail)

    assert accepted.case == cases.cases[CASE]
    assert accepted.case.assignee_id == StaffId(1)
    assert accepted.case.status == CaseStatus.IN_PROGRESS
    assert accepted.officer == "Officer Li"
    (event,) = trail.events
    assert (event.actor, event.kind, event.at) == ("staff:1", "accepted", FILED)
    assert event.data == {
        "before": {"status": "received", "assignee": None},
        "after": {"status": "in_progress", "assignee": 1},
    }


async def test_an_overdue_case_accepted_stays_overdue(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    cases.add(replace(cases.cases[CASE], status=CaseStatus.OVERDUE))
    accepted = await accept_case(handler(), PRESSED, cases=cases, trail=trail)
    assert accepted.case.status == CaseStatus.OVERDUE


@pytest.mark.parametrize("actor", [handler(OTHER), supervisor()], ids=["other dept", "supervisor"])
async def test_who_may_not_act_is_refused_and_nothing_changes(
    actor: Actor, cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    before = dict(cases.cases)
    with pytest.raises(NotAllowed):
        await accept_case(actor, PRESSED, cases=cases, trail=trail)
    assert cases.cases == before and trail.events == []


async def test_an_admin_who_is_not_staff_must_join_first(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    with pytest.raises(NotAllowed) as refused:
        await accept_case(admin(), PRESSED, cases=cases, trail=trail)
    assert refused.value.message == "Join as staff (/join) before taking cases."
    assert trail.events == []


async def test_a_case_already_taken_is_stale(cases: FakeCaseBook, trail: FakeCaseTrail) -> None:
    cases.add(replace(cases.cases[CASE], assignee_id=StaffId(7)))
    with pytest.raises(Stale) as refused:
        await accept_case(handler(), PRESSED, cases=cases, trail=trail)
    assert refused.value.message == "This case has already been taken; nothing changed."
    assert cases.cases[CASE].assignee_id == StaffId(7) and trail.events == []


async def test_a_closed_case_is_stale(cases: FakeCaseBook, trail: FakeCaseTrail) -> None:
    cases.add(replace(cases.cases[CASE], status=CaseStatus.RESOLVED))
    with pytest.raises(CaseClosed):
        await accept_case(handler(), PRESSED, cases=cases, trail=trail)
    assert trail.events == []


async def test_a_case_that_does_not_exist_is_stale(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    with pytest.raises(Stale) as refused:
        await accept_case(handler(), Acceptance(CaseId(99), FILED), cases=cases, trail=trail)
    assert refused.value.message == "This case no longer exists; nothing changed."
