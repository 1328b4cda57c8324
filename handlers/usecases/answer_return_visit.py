"""A worker answers a question of a survey after a resolution: the return visit (回访) or the
anti-rebound check (防反弹).

Raises the refusals of ``handlers.domain.surveys``: ``NotAllowed`` (no such survey, not the
worker's case, not the survey's question), ``Stale`` (the survey is closed or replaced by a
later resolution's), ``AlreadyAnswered``; nothing is written then.
"""

from dataclasses import dataclass
from datetime import datetime

from handlers.domain.cases import CaseRecord
from handlers.domain.errors import NotAllowed
from handlers.domain.ids import CaseId
from handlers.domain.surveys import (
    FIELDS,
    INVALID,
    Consequences,
    SurveyRecord,
    consequences_of,
    ensure_may_answer,
    with_answer,
)
from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail
from handlers.ports_surveys import SurveyBook
from handlers.usecases.reopen_case import CaseReopened, ReopenCase, reopen_case

__all__ = ["AnswerSurvey", "SurveyAnswered", "answer_return_visit", "open_question"]


@dataclass(frozen=True, slots=True)
class AnswerSurvey:
    survey_id: int
    question: str
    value: str
    """The button's value, or the typed comment (empty: nothing to add)."""
    now: datetime
    default_days: int
    """Days to act on a reopened case, for a department without its own."""


@dataclass(frozen=True, slots=True)
class SurveyAnswered:
    """The answer is kept; ``consequences`` says what it sets off, ``reopened`` the case it
    reopened (with its new deadline) if it did."""

    survey: SurveyRecord
    consequences: Consequences
    reopened: CaseReopened | None


async def open_question(
    worker_id: int | None,
    survey_id: int,
    question: str,
    surveys: SurveyBook,
    cases: CaseBook,
) -> tuple[SurveyRecord, CaseRecord]:
    """The survey and its case, held (the case first), if the worker may answer ``question``
    now; else the refusal."""
    case_id = await surveys.case_of(survey_id)
    case = None if case_id is None else await cases.for_change(CaseId(case_id))
    if case is None:
        raise NotAllowed(INVALID)
    survey = await surveys.held(survey_id)
    newer_round = await surveys.newer_round_exists(survey)
    ensure_may_answer(survey, case, worker_id, question, newer_round=newer_round)
    return survey, case


async def answer_return_visit(
    worker_id: int | None,
    actor: str,
    request: AnswerSurvey,
    surveys: SurveyBook,
    cases: CaseBook,
    trail: CaseTrail,
) -> SurveyAnswered:
    """Keep the answer on the survey and in the case's audit trail, and reopen a resolved
    case the worker says is not fully paid; the first answer ends the survey's reminders."""
    question, now = request.question, request.now
    survey, case = await open_question(worker_id, request.survey_id, question, surveys, cases)
    answered = with_answer(survey, question, request.value, now)
    await surveys.save(answered)
    if answered.status != survey.status:  # the first answer: no reminder follows
        await surveys.cancel_turns(survey.id)
    field = FIELDS[question]
    data = {
        "survey": survey.id,
        "survey_kind": survey.kind,
        "round": survey.round,
        "before": {field: getattr(survey, field)},
        "after": {field: getattr(answered, field)},
    }
    await trail.append(case.id, actor=actor, kind="survey_answer", at=now, data=data)
    consequences = consequences_of(answered, question, case.status)
    reopened = None
    if consequences.reopen:
        assert answered.paid is not None
        reopening = ReopenCase(case.id, answered.paid, now, request.default_days)
        reopened = await reopen_case(actor, reopening, cases, surveys, trail)
    return SurveyAnswered(answered, consequences, reopened)
