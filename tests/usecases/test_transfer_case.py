"""A transfer: the case goes to the new department unassigned, back to received if it was in
progress, with the reason on the trail."""

from dataclasses import replace

import pytest

from handlers.domain.cases import CaseStatus
from handlers.domain.errors import CaseClosed, NotAllowed
from handlers.domain.ids import CaseId, DepartmentId, StaffId
from handlers.usecases.transfer_case import Transfer, transfer_case
from tests.fakes.cases import FakeCaseBook, FakeCaseTrail
from tests.fakes.people import FILED, OTHER, handler, supervisor

CASE = CaseId(1)
TO_TRANSPORT = Transfer(CASE, OTHER, "anding.transport", "Road works", FILED)


async def test_the_case_moves_unassigned_and_back_to_received(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    taken = replace(cases.cases[CASE], status=CaseStatus.IN_PROGRESS, assignee_id=StaffId(1))
    cases.add(taken)

    passed = await transfer_case(handler(), TO_TRANSPORT, cases=cases, trail=trail)

    assert passed.before == taken and passed.reason == "Road works"
    assert passed.case == cases.cases[CASE]
    assert (passed.case.department_id, passed.case.department_code) == (
        DepartmentId(2),
        "anding.transport",
    )
    assert passed.case.assignee_id is None and passed.case.status == CaseStatus.RECEIVED
    (event,) = trail.events
    assert (event.actor, event.kind) == ("staff:1", "transferred")
    assert event.data == {
        "before": {"department": "anding.construction", "assignee": 1, "status": "in_progress"},
        "after": {"department": "anding.transport", "assignee": None, "status": "received"},
        "reason": "Road works",
    }


async def test_an_overdue_case_stays_overdue(cases: FakeCaseBook, trail: FakeCaseTrail) -> None:
    cases.add(replace(cases.cases[CASE], status=CaseStatus.OVERDUE))
    passed = await transfer_case(handler(), TO_TRANSPORT, cases=cases, trail=trail)
    assert passed.case.status == CaseStatus.OVERDUE


async def test_only_who_may_act_transfers(cases: FakeCaseBook, trail: FakeCaseTrail) -> None:
    with pytest.raises(NotAllowed):
        await transfer_case(supervisor(), TO_TRANSPORT, cases=cases, trail=trail)
    assert cases.cases[CASE].department_id != OTHER and trail.events == []


async def test_a_closed_case_is_not_transferred(cases: FakeCaseBook, trail: FakeCaseTrail) -> None:
    cases.add(replace(cases.cases[CASE], status=CaseStatus.RESOLVED))
    with pytest.raises(CaseClosed):
        await transfer_case(handler(), TO_TRANSPORT, cases=cases, trail=trail)
    assert trail.events == []
