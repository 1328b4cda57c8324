"""Resolving and rejecting: the case is closed with its outcome, what was settled is on the
trail, and a case closed meanwhile is not closed again."""

from dataclasses import replace

import pytest

from handlers.domain.cases import CaseStatus
from handlers.domain.errors import CaseClosed, NotAllowed
from handlers.domain.ids import CaseId
from handlers.usecases.reject_case import Rejection, reject_case
from handlers.usecases.resolve_case import Resolution, resolve_case
from tests.fakes.cases import FakeCaseBook, FakeCaseTrail
from tests.fakes.people import FILED, OTHER, handler, lead

CASE = CaseId(1)


async def test_a_paid_resolution_records_what_was_recovered(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    cases.add(replace(cases.cases[CASE], status=CaseStatus.IN_PROGRESS))
    paid = Resolution(CASE, "partly_paid", 30_000_00, 2, FILED)

    resolved = await resolve_case(lead(), paid, cases=cases, trail=trail)

    assert resolved.paid
    case = cases.cases[CASE]
    assert resolved.case == case
    assert (case.status, case.outcome, case.resolved_at) == (
        CaseStatus.RESOLVED,
        "partly_paid",
        FILED,
    )
    assert (case.amount_recovered_fen, case.workers_paid) == (30_000_00, 2)
    (event,) = trail.events
    assert (event.actor, event.kind) == ("staff:2", "resolved")
    assert event.data == {
        "before": {"status": "in_progress", "outcome": None},
        "after": {
            "status": "resolved",
            "outcome": "partly_paid",
            "amount_recovered_fen": 30_000_00,
            "workers_paid": 2,
        },
    }


async def test_a_resolution_without_payment_is_not_paid(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    withdrawn = Resolution(CASE, "withdrawn", 0, 0, FILED)
    resolved = await resolve_case(handler(), withdrawn, cases=cases, trail=trail)
    assert not resolved.paid and resolved.case.status == CaseStatus.RESOLVED


async def test_a_rejection_keeps_the_reason_and_the_comment(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    rejection = Rejection(CASE, "outside_region", "Try Lanzhou.", FILED)
    rejected = await reject_case(handler(), rejection, cases=cases, trail=trail)

    case = cases.cases[CASE]
    assert rejected.case == case
    assert (case.status, case.outcome, case.outcome_note) == (
        CaseStatus.REJECTED,
        "outside_region",
        "Try Lanzhou.",
    )
    (event,) = trail.events
    assert (event.actor, event.kind) == ("staff:1", "rejected")
    assert event.data == {
        "before": {"status": "received", "outcome": None},
        "after": {"status": "rejected", "outcome": "outside_region", "comment": "Try Lanzhou."},
    }


async def test_a_rejection_without_comment_keeps_none(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    rejection = Rejection(CASE, "duplicate", "", FILED)
    rejected = await reject_case(handler(), rejection, cases=cases, trail=trail)
    assert rejected.case.outcome_note is None
    assert trail.events[0].data["after"]["comment"] is None


async def test_another_department_closes_nothing(cases: FakeCaseBook, trail: FakeCaseTrail) -> None:
    with pytest.raises(NotAllowed):
        await resolve_case(
            handler(OTHER), Resolution(CASE, "withdrawn", 0, 0, FILED), cases=cases, trail=trail
        )
    with pytest.raises(NotAllowed):
        await reject_case(
            handler(OTHER), Rejection(CASE, "duplicate", None, FILED), cases=cases, trail=trail
        )
    assert cases.cases[CASE].status == CaseStatus.RECEIVED and trail.events == []


async def test_a_case_closed_meanwhile_is_not_closed_again(
    cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    await reject_case(
        handler(), Rejection(CASE, "duplicate", None, FILED), cases=cases, trail=trail
    )
    with pytest.raises(CaseClosed) as refused:
        await resolve_case(
            handler(), Resolution(CASE, "withdrawn", 0, 0, FILED), cases=cases, trail=trail
        )
    assert refused.value.status == CaseStatus.REJECTED
    assert cases.cases[CASE].outcome == "duplicate" and trail.kinds == ["rejected"]
