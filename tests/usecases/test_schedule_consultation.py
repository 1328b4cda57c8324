"""Scheduling a seven-party consultation, on the fakes: who may, on which case and when; what
is kept, put on the trail and planned."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from handlers.domain.cases import CaseStatus
from handlers.domain.consultations import DAY_BEFORE, TWO_HOURS, ConsultationRecord, TimeRefused
from handlers.domain.errors import CaseClosed, NotAllowed, Stale
from handlers.domain.ids import CaseId, ConsultationId
from handlers.domain.permissions import Actor
from handlers.usecases.schedule_consultation import Scheduling, schedule_consultation
from tests.fakes.cases import FakeCaseBook, FakeCaseTrail
from tests.fakes.consultations import FakeConsultationBook, Planned
from tests.fakes.people import OTHER, admin, handler, lead, supervisor

CASE = CaseId(1)
NOW = datetime(2026, 11, 26, 2, tzinfo=UTC)
AT = datetime(2026, 12, 3, 6, 30, tzinfo=UTC)
PARTIES = ({"role": "hrss", "name": "Zhang Wei", "contact": "0932-8000105"}, {"role": "workers"})
REQUEST = Scheduling(CASE, AT, "Meeting room 2", PARTIES, NOW)


@pytest.fixture
def consultations() -> FakeConsultationBook:
    return FakeConsultationBook()


async def schedule(
    actor: Actor,
    cases: FakeCaseBook,
    trail: FakeCaseTrail,
    consultations: FakeConsultationBook,
    request: Scheduling = REQUEST,
) -> ConsultationRecord:
    scheduled = await schedule_consultation(
        actor, request, cases=cases, consultations=consultations, trail=trail
    )
    assert scheduled.case == cases.cases[CASE]
    return scheduled.consultation


@pytest.mark.parametrize("actor", [handler(), lead()], ids=["handler", "county lead"])
async def test_staff_who_may_act_schedule_it_on_the_trail(
    actor: Actor,
    cases: FakeCaseBook,
    trail: FakeCaseTrail,
    consultations: FakeConsultationBook,
) -> None:
    consultation = await schedule(actor, cases, trail, consultations)

    assert consultations.consultations == {ConsultationId(1): consultation}
    assert (consultation.case_id, consultation.scheduled_at, consultation.place) == (
        CASE,
        AT,
        "Meeting room 2",
    )
    assert consultation.parties == PARTIES
    assert actor.staff is not None and consultation.created_by == actor.staff.id
    (event,) = trail.events
    assert (event.case_id, event.actor, event.kind, event.at) == (
        CASE,
        actor.label,
        "consultation_scheduled",
        NOW,
    )
    assert event.data == {
        "before": None,
        "after": {
            "consultation": 1,
            "scheduled_at": "2026-12-03T06:30:00+00:00",
            "place": "Meeting room 2",
            "parties": list(PARTIES),
        },
    }


async def test_the_worker_and_department_are_reminded_the_day_before_and_two_hours_before(
    cases: FakeCaseBook, trail: FakeCaseTrail, consultations: FakeConsultationBook
) -> None:
    await schedule(handler(), cases, trail, consultations)
    data = {"consultation": 1}
    assert consultations.planned == {
        (DAY_BEFORE, "consultation:1"): Planned(AT - timedelta(days=1), CASE, data),
        (TWO_HOURS, "consultation:1"): Planned(AT - timedelta(hours=2), CASE, data),
    }


async def test_a_consultation_within_a_day_gets_only_the_reminders_still_ahead(
    cases: FakeCaseBook, trail: FakeCaseTrail, consultations: FakeConsultationBook
) -> None:
    soon = replace(REQUEST, scheduled_at=NOW + timedelta(hours=5))
    await schedule(handler(), cases, trail, consultations, soon)
    assert list(consultations.planned) == [(TWO_HOURS, "consultation:1")]


@pytest.mark.parametrize(
    "actor", [handler(OTHER), supervisor()], ids=["other department's handler", "supervisor"]
)
async def test_who_may_not_act_on_the_case_is_refused_and_nothing_is_kept(
    actor: Actor,
    cases: FakeCaseBook,
    trail: FakeCaseTrail,
    consultations: FakeConsultationBook,
) -> None:
    with pytest.raises(NotAllowed):
        await schedule(actor, cases, trail, consultations)
    assert consultations.consultations == {} and consultations.planned == {}
    assert trail.events == []


async def test_an_admin_is_asked_to_join_as_staff_first(
    cases: FakeCaseBook, trail: FakeCaseTrail, consultations: FakeConsultationBook
) -> None:
    with pytest.raises(NotAllowed) as refused:
        await schedule(admin(), cases, trail, consultations)
    assert refused.value.message == "Join as staff (/join) before scheduling a consultation."
    assert consultations.consultations == {} and trail.events == []


@pytest.mark.parametrize("status", [CaseStatus.RESOLVED, CaseStatus.REJECTED])
async def test_a_closed_case_is_refused(
    status: CaseStatus,
    cases: FakeCaseBook,
    trail: FakeCaseTrail,
    consultations: FakeConsultationBook,
) -> None:
    cases.add(replace(cases.cases[CASE], status=status))
    with pytest.raises(CaseClosed):
        await schedule(handler(), cases, trail, consultations)
    assert consultations.consultations == {} and trail.events == []


async def test_a_form_for_a_case_that_is_gone_is_stale(
    trail: FakeCaseTrail, consultations: FakeConsultationBook
) -> None:
    with pytest.raises(Stale) as refused:
        await schedule(handler(), FakeCaseBook(), trail, consultations)
    assert refused.value.message == "This case no longer exists; nothing changed."


@pytest.mark.parametrize(
    ("moment", "problem"),
    [(NOW, "past"), (NOW + timedelta(days=367), "too_far")],
    ids=["passed meanwhile", "over a year ahead"],
)
async def test_a_time_not_ahead_or_too_far_is_refused_before_the_case_is_read(
    moment: datetime,
    problem: str,
    cases: FakeCaseBook,
    trail: FakeCaseTrail,
    consultations: FakeConsultationBook,
) -> None:
    with pytest.raises(TimeRefused) as refused:
        await schedule(
            handler(), cases, trail, consultations, replace(REQUEST, scheduled_at=moment)
        )
    assert refused.value.problem == problem
    assert cases.held == set() and consultations.consultations == {}
