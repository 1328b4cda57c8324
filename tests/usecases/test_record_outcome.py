"""Recording a consultation's outcome, on the fakes: who may, once; what is kept, put on the
trail, and the payment check planned for the evening of the agreed date."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.domain.cases import CaseStatus
from handlers.domain.consultations import PAYMENT_CHECK, ConsultationRecord
from handlers.domain.errors import NotAllowed, Stale
from handlers.domain.ids import CaseId, ConsultationId, StaffId
from handlers.domain.permissions import Actor
from handlers.usecases.record_outcome import Outcome, record_outcome
from tests.fakes.cases import FakeCaseBook, FakeCaseTrail
from tests.fakes.consultations import FakeConsultationBook, Planned
from tests.fakes.people import OTHER, handler, supervisor

ZONE = ZoneInfo("Asia/Shanghai")
CASE = CaseId(1)
MEETING = ConsultationId(4)
HELD = datetime(2026, 12, 3, 6, 30, tzinfo=UTC)
NOW = HELD + timedelta(hours=3)
PAY_BY = date(2026, 12, 17)
AGREED = Outcome(MEETING, 150_000_00, PAY_BY, "In two instalments", NOW, ZONE)
NO_AGREEMENT = Outcome(MEETING, None, None, None, NOW, ZONE)


@pytest.fixture
def consultations() -> FakeConsultationBook:
    book = FakeConsultationBook()
    book.put(ConsultationRecord(MEETING, CASE, HELD, "Room 2", ({"role": "hrss"},), StaffId(1)))
    return book


async def record(
    actor: Actor,
    request: Outcome,
    cases: FakeCaseBook,
    trail: FakeCaseTrail,
    consultations: FakeConsultationBook,
) -> ConsultationRecord:
    recorded = await record_outcome(
        actor, request, cases=cases, consultations=consultations, trail=trail
    )
    assert recorded.case == cases.cases[CASE]
    assert recorded.consultation == consultations.consultations[MEETING]
    return recorded.consultation


async def test_an_agreement_is_kept_on_the_trail_and_its_payment_checked_that_evening(
    cases: FakeCaseBook, trail: FakeCaseTrail, consultations: FakeConsultationBook
) -> None:
    kept = await record(handler(), AGREED, cases, trail, consultations)

    assert (kept.agreed_amount_fen, kept.payment_due, kept.outcome_notes, kept.outcome_at) == (
        150_000_00,
        PAY_BY,
        "In two instalments",
        NOW,
    )
    (event,) = trail.events
    assert (event.case_id, event.actor, event.kind, event.at) == (
        CASE,
        "staff:1",
        "consultation_outcome",
        NOW,
    )
    assert event.data == {
        "consultation": 4,
        "before": None,
        "after": {
            "agreed_amount_fen": 150_000_00,
            "payment_due": "2026-12-17",
            "notes": "In two instalments",
        },
    }
    evening = datetime(2026, 12, 17, 18, tzinfo=ZONE)
    assert consultations.planned == {
        (PAYMENT_CHECK, "consultation:4"): Planned(evening, CASE, {"consultation": 4})
    }


async def test_a_payment_due_today_after_six_is_checked_at_once(
    cases: FakeCaseBook, trail: FakeCaseTrail, consultations: FakeConsultationBook
) -> None:
    late = datetime(2026, 12, 17, 20, tzinfo=ZONE)
    await record(handler(), replace(AGREED, at=late), cases, trail, consultations)
    assert consultations.planned[(PAYMENT_CHECK, "consultation:4")].due_at == late


async def test_no_agreement_keeps_no_date_and_plans_no_check(
    cases: FakeCaseBook, trail: FakeCaseTrail, consultations: FakeConsultationBook
) -> None:
    kept = await record(handler(), NO_AGREEMENT, cases, trail, consultations)
    assert (kept.agreed_amount_fen, kept.payment_due, kept.outcome_at) == (None, None, NOW)
    assert trail.events[0].data["after"] == {
        "agreed_amount_fen": None,
        "payment_due": None,
        "notes": None,
    }
    assert consultations.planned == {}


async def test_the_outcome_of_a_case_closed_since_is_still_recorded(
    cases: FakeCaseBook, trail: FakeCaseTrail, consultations: FakeConsultationBook
) -> None:
    cases.add(replace(cases.cases[CASE], status=CaseStatus.RESOLVED))
    await record(handler(), NO_AGREEMENT, cases, trail, consultations)
    assert trail.kinds == ["consultation_outcome"]


@pytest.mark.parametrize(
    "actor", [handler(OTHER), supervisor()], ids=["other department's handler", "supervisor"]
)
async def test_who_may_not_act_on_the_case_is_refused_and_nothing_is_kept(
    actor: Actor, cases: FakeCaseBook, trail: FakeCaseTrail, consultations: FakeConsultationBook
) -> None:
    before = dict(consultations.consultations)
    with pytest.raises(NotAllowed):
        await record(actor, AGREED, cases, trail, consultations)
    assert consultations.consultations == before
    assert trail.events == [] and consultations.planned == {}


async def test_an_outcome_already_recorded_is_not_recorded_again(
    cases: FakeCaseBook, trail: FakeCaseTrail, consultations: FakeConsultationBook
) -> None:
    await record(handler(), NO_AGREEMENT, cases, trail, consultations)
    with pytest.raises(Stale) as refused:
        await record(handler(), AGREED, cases, trail, consultations)
    assert refused.value.message == "The outcome of this consultation is already recorded."
    assert consultations.consultations[MEETING].agreed_amount_fen is None
    assert trail.kinds == ["consultation_outcome"] and consultations.planned == {}


@pytest.mark.parametrize("gone", ["consultation", "case"])
async def test_a_form_whose_consultation_or_case_is_gone_is_stale(
    gone: str, cases: FakeCaseBook, trail: FakeCaseTrail, consultations: FakeConsultationBook
) -> None:
    if gone == "consultation":
        consultations.consultations.clear()
    else:
        cases.cases.clear()
    with pytest.raises(Stale) as refused:
        await record_outcome(
            handler(), AGREED, cases=cases, consultations=consultations, trail=trail
        )
    assert refused.value.message == "This case no longer exists; nothing changed."
    assert trail.events == []
