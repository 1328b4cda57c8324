"""Keeping a worker's answer: on the survey, and in the case's audit trail."""

from dataclasses import dataclass

from handlers.case_card import CaseView
from handlers.context import Context
from handlers.formatting import N_
from handlers.surveys.questions import FIELDS
from storage.cases import add_case_event
from storage.models import Survey, SurveyStatus
from storage.surveys import cancel_turns

__all__ = ["INVALID", "Answer", "record", "worker_actor"]

INVALID = N_("This button is not valid.")


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer to the survey's current question, from the case's own worker."""

    survey: Survey
    view: CaseView
    question: str


def worker_actor(ctx: Context) -> str:
    return f"worker:{ctx.event.user_id}"


async def record(ctx: Context, answer: Answer, value: str | int | bool) -> None:
    """The first answer makes the survey answered, and no reminder follows."""
    survey, field = answer.survey, FIELDS[answer.question]
    assert survey.id is not None
    before = getattr(survey, field)
    setattr(survey, field, value)
    if survey.status == SurveyStatus.ASKED:
        survey.status, survey.answered_at = SurveyStatus.ANSWERED, ctx.now
        await cancel_turns(ctx.session, survey.id)
    ctx.session.add(survey)
    await add_case_event(
        ctx.session,
        answer.view.case,
        actor=worker_actor(ctx),
        kind="survey_answer",
        at=ctx.now,
        data={
            "survey": survey.id,
            "survey_kind": survey.kind,
            "round": survey.round,
            "before": {field: before},
            "after": {field: value},
        },
    )
