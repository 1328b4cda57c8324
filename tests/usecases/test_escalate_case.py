"""Escalation: by staff once, by the system whenever a rule or the deadline says so; the first
escalation alerts the leads, later ones only add their reasons."""

from dataclasses import replace

import pytest

from handlers.domain.cases import CaseStatus
from handlers.domain.errors import CaseClosed, NotAllowed, Stale
from handlers.domain.ids import CaseId
from handlers.usecases.escalate_case import Escalation, escalate_case
from tests.fakes.cases import FakeCaseBook, FakeCaseTrail
from tests.fakes.people import FILED, OTHER, handler

CASE = CaseId(1)
BY_HAND = Escalation(CASE, ("manual",), FILED)


async def test_the_first_escalation_flags_the_case_and_alerts_the_leads(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    escalated = await escalate_case(handler(), BY_HAND, cases=cases, trail=trail)

    assert escalated.first
    case = cases.cases[CASE]
    assert escalated.case == case
    assert (case.hard, case.hard_reasons, case.escalated_at) == (True, ("manual",), FILED)
    (event,) = trail.events
    assert (event.actor, event.kind) == ("staff:1", "escalated")
    assert event.data == {
        "before": {"hard": False, "hard_reasons": []},
        "after": {"hard": True, "hard_reasons": ["manual"]},
        "reasons": ["manual"],
    }


async def test_the_rules_escalate_in_the_systems_name(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    rules = Escalation(CASE, ("workers", "amount"), FILED)
    escalated = await escalate_case(None, rules, cases=cases, trail=trail)
    assert escalated.first and escalated.case.hard_reasons == ("amount", "workers")
    assert trail.events[0].actor == "system"
    assert trail.events[0].data["reasons"] == ["workers", "amount"]


async def test_a_later_escalation_adds_its_reasons_without_alerting_again(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    await escalate_case(handler(), BY_HAND, cases=cases, trail=trail)
    later = Escalation(CASE, ("overdue",), FILED.replace(day=30))

    escalated = await escalate_case(None, later, cases=cases, trail=trail)

    assert not escalated.first
    assert escalated.case.hard_reasons == ("manual", "overdue")
    assert escalated.case.escalated_at == FILED
    assert trail.events[1].data["before"] == {"hard": True, "hard_reasons": ["manual"]}


async def test_staff_cannot_escalate_twice(cases: FakeCaseBook, trail: FakeCaseTrail) -> None:
    cases.add(replace(cases.cases[CASE], escalated_at=FILED, hard=True))
    with pytest.raises(Stale) as refused:
        await escalate_case(handler(), BY_HAND, cases=cases, trail=trail)
    assert refused.value.message == "This case has already been escalated; nothing changed."
    assert trail.events == []


async def test_staff_escalate_only_open_cases_they_may_act_on(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    with pytest.raises(NotAllowed):
        await escalate_case(handler(OTHER), BY_HAND, cases=cases, trail=trail)
    cases.add(replace(cases.cases[CASE], status=CaseStatus.RESOLVED))
    with pytest.raises(CaseClosed):
        await escalate_case(handler(), BY_HAND, cases=cases, trail=trail)
    assert trail.events == []


async def test_the_system_cannot_escalate_a_case_that_is_gone(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    with pytest.raises(Stale):
        await escalate_case(
            None, Escalation(CaseId(9), ("overdue",), FILED), cases=cases, trail=trail
        )
