"""Reopening a resolved case, on the fakes: only a resolved case, and nothing written else."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from handlers.domain.cases import CaseStatus, NotResolved
from handlers.domain.ids import CaseId
from handlers.domain.surveys import SurveyRecord, SurveyStatus
from handlers.usecases.reopen_case import ReopenCase, reopen_case
from tests.fakes.cases import FakeCaseBook, FakeCaseTrail
from tests.fakes.people import a_case
from tests.fakes.surveys import FakeSurveyBook

NOW = datetime(2026, 12, 1, 2, tzinfo=UTC)
CASE = CaseId(30)
RESOLVED = a_case(
    CASE,
    status=CaseStatus.RESOLVED,
    outcome="paid_in_full",
    resolved_at=NOW - timedelta(days=2),
    deadline_at=NOW - timedelta(days=5),
    deadline_days=10,
)
REQUEST = ReopenCase(CASE, "partly", NOW, default_days=15)


async def test_a_resolved_case_reopens_with_a_new_deadline_and_its_surveys_cancelled(
    trail: FakeCaseTrail,
) -> None:
    cases, surveys = FakeCaseBook(), FakeSurveyBook()
    cases.add(RESOLVED)
    surveys.put(SurveyRecord(12, CASE, "rebound", 1, SurveyStatus.SCHEDULED))
    asked = surveys.put(SurveyRecord(13, CASE, "return_visit", 1, SurveyStatus.ASKED))
    reopened = await reopen_case("worker:1", REQUEST, cases, surveys, trail)
    assert reopened.paid == "partly"
    assert (
        reopened.case
        == cases.cases[CASE]
        == replace(
            RESOLVED,
            status=CaseStatus.REOPENED,
            outcome=None,
            resolved_at=None,
            deadline_at=NOW + timedelta(days=10),
        )
    )
    assert surveys.surveys[12].status == SurveyStatus.CANCELLED
    assert surveys.surveys[13] == asked
    (event,) = trail.events
    assert (event.case_id, event.actor, event.kind, event.at) == (CASE, "worker:1", "reopened", NOW)
    assert event.data["paid"] == "partly"


@pytest.mark.parametrize(
    "status", [CaseStatus.IN_PROGRESS, CaseStatus.REOPENED, CaseStatus.REJECTED]
)
async def test_a_case_that_is_not_resolved_is_not_reopened(
    status: CaseStatus, trail: FakeCaseTrail
) -> None:
    cases, surveys = FakeCaseBook(), FakeSurveyBook()
    open_case = replace(RESOLVED, status=status)
    cases.add(open_case)
    scheduled = surveys.put(SurveyRecord(12, CASE, "rebound", 1, SurveyStatus.SCHEDULED))
    with pytest.raises(NotResolved) as refused:
        await reopen_case("worker:1", REQUEST, cases, surveys, trail)
    assert refused.value.status == status
    assert cases.cases[CASE] == open_case and trail.events == []
    assert surveys.surveys[12] == scheduled
