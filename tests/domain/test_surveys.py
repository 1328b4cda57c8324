"""The survey rules in plain Python: the order of the questions, what an answer keeps and sets
off."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from handlers.domain.cases import CaseStatus
from handlers.domain.surveys import (
    COMMENT,
    NEW_ARREARS,
    PAID,
    RATING,
    REBOUND,
    RETURN_VISIT,
    Consequences,
    SurveyRecord,
    SurveyStatus,
    consequences_of,
    current_question,
    with_answer,
)

NOW = datetime(2026, 12, 1, 2, tzinfo=UTC)
VISIT = SurveyRecord(1, 30, RETURN_VISIT, 1, SurveyStatus.ASKED)


def test_the_return_visit_asks_paid_then_rating_then_comment_then_nothing() -> None:
    asked = []
    survey = VISIT
    while (question := current_question(survey)) is not None:
        asked.append(question)
        survey = with_answer(survey, question, "2" if question == RATING else "x", NOW)
    assert asked == [PAID, RATING, COMMENT]
    assert current_question(replace(VISIT, kind=REBOUND)) == NEW_ARREARS


def test_only_the_first_answer_makes_the_survey_answered() -> None:
    first = with_answer(VISIT, PAID, "full", NOW)
    assert (first.status, first.answered_at, first.paid) == ("answered", NOW, "full")
    second = with_answer(first, RATING, "4", NOW + timedelta(minutes=1))
    assert (second.answered_at, second.rating) == (NOW, 4)


def test_the_rebound_checks_yes_and_no_are_kept_as_owed_again_or_not() -> None:
    rebound = replace(VISIT, kind=REBOUND)
    assert with_answer(rebound, NEW_ARREARS, "yes", NOW).new_arrears is True
    assert with_answer(rebound, NEW_ARREARS, "no", NOW).new_arrears is False


@pytest.mark.parametrize(
    ("paid", "status", "reopens"),
    [
        ("full", CaseStatus.RESOLVED, False),
        ("partly", CaseStatus.RESOLVED, True),
        ("none", CaseStatus.RESOLVED, True),
        ("none", CaseStatus.REOPENED, False),
    ],
)
def test_paid_short_reopens_only_a_resolved_case(
    paid: str, status: CaseStatus, reopens: bool
) -> None:
    survey = replace(VISIT, paid=paid)
    assert consequences_of(survey, PAID, status) == Consequences(reopen=reopens)


def test_a_comment_is_forwarded_only_after_a_low_rating() -> None:
    low, high = replace(VISIT, rating=2, comment="late"), replace(VISIT, rating=3, comment="late")
    assert consequences_of(low, COMMENT, CaseStatus.RESOLVED).forward_comment == "late"
    assert consequences_of(high, COMMENT, CaseStatus.RESOLVED) == Consequences()
