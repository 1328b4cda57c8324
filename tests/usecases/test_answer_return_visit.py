"""Answering the surveys after a resolution, on the fakes: what is kept, refused and set off."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from handlers.domain.cases import CaseStatus
from handlers.domain.errors import NotAllowed, Stale
from handlers.domain.ids import CaseId, WorkerId
from handlers.domain.surveys import (
    COMMENT,
    NEW_ARREARS,
    PAID,
    RATING,
    REBOUND,
    RETURN_VISIT,
    AlreadyAnswered,
    Consequences,
    SurveyRecord,
    SurveyStatus,
)
from handlers.usecases.answer_return_visit import (
    AnswerSurvey,
    SurveyAnswered,
    answer_return_visit,
)
from tests.fakes.cases import FakeCaseBook, FakeCaseTrail, TrailEvent
from tests.fakes.people import a_case
from tests.fakes.surveys import FakeSurveyBook

NOW = datetime(2026, 12, 1, 2, tzinfo=UTC)
RESOLVED_AT = NOW - timedelta(days=1)
WORKER, CASE, SURVEY, DEFAULT_DAYS = 7, 30, 12, 15
ACTOR = "worker:7007"
ASKED = SurveyRecord(SURVEY, CASE, RETURN_VISIT, 1, SurveyStatus.ASKED)
RESOLVED = a_case(
    CASE,
    worker_id=WorkerId(WORKER),
    status=CaseStatus.RESOLVED,
    outcome="paid_in_full",
    resolved_at=RESOLVED_AT,
    deadline_at=NOW + timedelta(days=3),
    deadline_days=None,
)


@pytest.fixture
def holds() -> list[tuple[str, int]]:
    return []


@pytest.fixture
def surveys(holds: list[tuple[str, int]]) -> FakeSurveyBook:
    book = FakeSurveyBook(holds=holds)
    book.put(ASKED)
    return book


@pytest.fixture
def cases(holds: list[tuple[str, int]]) -> FakeCaseBook:
    book = FakeCaseBook(holds=holds)
    book.add(RESOLVED)
    return book


async def answer(
    surveys: FakeSurveyBook,
    cases: FakeCaseBook,
    trail: FakeCaseTrail,
    question: str,
    value: str,
    *,
    survey_id: int = SURVEY,
    worker_id: int | None = WORKER,
) -> SurveyAnswered:
    request = AnswerSurvey(survey_id, question, value, NOW, DEFAULT_DAYS)
    return await answer_return_visit(worker_id, ACTOR, request, surveys, cases, trail)


async def test_paid_in_full_is_kept_ends_the_reminders_and_sets_nothing_off(
    surveys: FakeSurveyBook,
    cases: FakeCaseBook,
    trail: FakeCaseTrail,
    holds: list[tuple[str, int]],
) -> None:
    answered = await answer(surveys, cases, trail, PAID, "full")
    assert answered.consequences == Consequences() and answered.reopened is None
    survey = surveys.surveys[SURVEY]
    assert (survey.paid, survey.status, survey.answered_at) == ("full", "answered", NOW)
    assert surveys.turns_cancelled == [SURVEY]
    assert cases.cases[CaseId(CASE)] == RESOLVED
    assert holds == [("case", CASE), ("survey", SURVEY)]
    data = {
        "survey": SURVEY,
        "survey_kind": RETURN_VISIT,
        "round": 1,
        "before": {"paid": None},
        "after": {"paid": "full"},
    }
    assert trail.events == [TrailEvent(CaseId(CASE), ACTOR, "survey_answer", NOW, data)]


@pytest.mark.parametrize("paid", ["partly", "none"])
async def test_paid_short_reopens_the_case_with_a_new_deadline(
    surveys: FakeSurveyBook, cases: FakeCaseBook, trail: FakeCaseTrail, paid: str
) -> None:
    surveys.put(SurveyRecord(13, CASE, REBOUND, 1, SurveyStatus.SCHEDULED))
    answered = await answer(surveys, cases, trail, PAID, paid)
    deadline = NOW + timedelta(days=DEFAULT_DAYS)
    assert answered.consequences.reopen
    assert answered.reopened is not None and answered.reopened.paid == paid
    reopened = cases.cases[CaseId(CASE)]
    assert answered.reopened.case == reopened
    assert (reopened.status, reopened.outcome, reopened.resolved_at) == ("reopened", None, None)
    assert reopened.deadline_at == deadline
    assert surveys.surveys[13].status == SurveyStatus.CANCELLED
    assert trail.kinds == ["survey_answer", "reopened"]
    assert trail.events[1].data == {
        "before": {
            "status": "resolved",
            "outcome": "paid_in_full",
            "resolved_at": RESOLVED_AT.isoformat(),
            "deadline_at": RESOLVED.deadline_at.isoformat(),
        },
        "after": {"status": "reopened", "deadline_at": deadline.isoformat()},
        "paid": paid,
    }


async def test_the_departments_own_time_to_act_sets_the_new_deadline(
    surveys: FakeSurveyBook, cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    cases.add(replace(RESOLVED, deadline_days=5))
    await answer(surveys, cases, trail, PAID, "none")
    assert cases.cases[CaseId(CASE)].deadline_at == NOW + timedelta(days=5)


async def test_paid_short_on_a_case_already_back_at_work_does_not_reopen_it_again(
    surveys: FakeSurveyBook, cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    at_work = replace(RESOLVED, status=CaseStatus.IN_PROGRESS)
    cases.add(at_work)
    answered = await answer(surveys, cases, trail, PAID, "none")
    assert answered.reopened is None and not answered.consequences.reopen
    assert cases.cases[CaseId(CASE)] == at_work
    assert surveys.surveys[SURVEY].paid == "none"


@pytest.mark.parametrize(("rating", "review"), [(1, 1), (2, 2), (3, None), (5, None)])
async def test_a_rating_of_two_or_less_asks_the_supervisors_to_review(
    surveys: FakeSurveyBook,
    cases: FakeCaseBook,
    trail: FakeCaseTrail,
    rating: int,
    review: int | None,
) -> None:
    surveys.put(SurveyRecord(SURVEY, CASE, RETURN_VISIT, 1, SurveyStatus.ANSWERED, paid="full"))
    answered = await answer(surveys, cases, trail, RATING, str(rating))
    assert answered.consequences == Consequences(review_rating=review)
    assert surveys.surveys[SURVEY].rating == rating
    assert surveys.turns_cancelled == []  # answered already: its reminders ended then


@pytest.mark.parametrize(("rating", "forwarded"), [(2, "Nobody called me"), (4, None)])
async def test_a_comment_on_a_low_rating_is_forwarded(
    surveys: FakeSurveyBook,
    cases: FakeCaseBook,
    trail: FakeCaseTrail,
    rating: int,
    forwarded: str | None,
) -> None:
    survey = SurveyRecord(SURVEY, CASE, RETURN_VISIT, 1, SurveyStatus.ANSWERED, paid="full")
    surveys.put(replace(survey, rating=rating))
    answered = await answer(surveys, cases, trail, COMMENT, "Nobody called me")
    assert answered.consequences == Consequences(forward_comment=forwarded)
    assert surveys.surveys[SURVEY].comment == "Nobody called me"


async def test_no_comment_is_kept_as_empty_and_forwards_nothing(
    surveys: FakeSurveyBook, cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    low = SurveyRecord(SURVEY, CASE, RETURN_VISIT, 1, SurveyStatus.ANSWERED, paid="full", rating=1)
    surveys.put(low)
    answered = await answer(surveys, cases, trail, COMMENT, "")
    assert answered.consequences == Consequences()
    assert surveys.surveys[SURVEY].comment == ""


@pytest.mark.parametrize(("value", "owed"), [("yes", True), ("no", False)])
async def test_the_rebound_check_says_whether_the_worker_is_owed_again(
    surveys: FakeSurveyBook,
    cases: FakeCaseBook,
    trail: FakeCaseTrail,
    value: str,
    owed: bool,
) -> None:
    surveys.put(SurveyRecord(SURVEY, CASE, REBOUND, 1, SurveyStatus.ASKED))
    answered = await answer(surveys, cases, trail, NEW_ARREARS, value)
    assert answered.consequences == Consequences(owed_again=owed)
    assert surveys.surveys[SURVEY].new_arrears is owed


async def test_answering_the_same_question_twice_counts_once(
    surveys: FakeSurveyBook, cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    await answer(surveys, cases, trail, PAID, "none")
    events, kept = list(trail.events), dict(surveys.surveys)
    with pytest.raises(AlreadyAnswered):
        await answer(surveys, cases, trail, PAID, "full")
    assert (trail.events, surveys.surveys) == (events, kept)


async def test_a_later_question_before_its_turn_is_refused(
    surveys: FakeSurveyBook, cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    with pytest.raises(NotAllowed):
        await answer(surveys, cases, trail, RATING, "5")
    assert trail.events == [] and surveys.surveys[SURVEY] == ASKED


@pytest.mark.parametrize(
    "status", [SurveyStatus.SCHEDULED, SurveyStatus.UNANSWERED, SurveyStatus.CANCELLED]
)
async def test_a_closed_survey_is_stale(
    surveys: FakeSurveyBook, cases: FakeCaseBook, trail: FakeCaseTrail, status: SurveyStatus
) -> None:
    surveys.put(SurveyRecord(SURVEY, CASE, RETURN_VISIT, 1, status))
    with pytest.raises(Stale):
        await answer(surveys, cases, trail, PAID, "none")
    assert trail.events == [] and cases.cases[CaseId(CASE)] == RESOLVED


async def test_a_survey_replaced_by_a_later_resolutions_is_stale(
    surveys: FakeSurveyBook, cases: FakeCaseBook, trail: FakeCaseTrail
) -> None:
    surveys.put(SurveyRecord(14, CASE, RETURN_VISIT, 2, SurveyStatus.SCHEDULED))
    with pytest.raises(Stale):
        await answer(surveys, cases, trail, PAID, "none")
    assert trail.events == [] and cases.cases[CaseId(CASE)] == RESOLVED


@pytest.mark.parametrize("worker_id", [WORKER + 1, None])
async def test_someone_elses_survey_is_not_theirs_to_answer(
    surveys: FakeSurveyBook, cases: FakeCaseBook, trail: FakeCaseTrail, worker_id: int | None
) -> None:
    with pytest.raises(NotAllowed):
        await answer(surveys, cases, trail, PAID, "none", worker_id=worker_id)
    assert trail.events == [] and surveys.surveys[SURVEY] == ASKED


async def test_a_survey_that_does_not_exist_is_refused_before_anything_is_held(
    surveys: FakeSurveyBook,
    cases: FakeCaseBook,
    trail: FakeCaseTrail,
    holds: list[tuple[str, int]],
) -> None:
    with pytest.raises(NotAllowed):
        await answer(surveys, cases, trail, PAID, "none", survey_id=99)
    assert holds == []
