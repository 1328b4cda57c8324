"""Keeping a worker's answer (``handlers.usecases.answer_return_visit``), and the case as its
card shows it afterwards, for the messages the answer sets off."""

from dataclasses import dataclass

from handlers.case_card import CaseView, load_case
from handlers.context import Context
from handlers.domain.surveys import INVALID
from handlers.usecases.answer_return_visit import (
    AnswerSurvey,
    SurveyAnswered,
    answer_return_visit,
)

__all__ = ["INVALID", "Answer", "record", "worker_actor"]


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer kept, from the case's own worker, and the case (reopened, if it was)."""

    answered: SurveyAnswered
    view: CaseView


def worker_actor(ctx: Context) -> str:
    return f"worker:{ctx.event.user_id}"


async def record(ctx: Context, survey_id: int, question: str, value: str) -> Answer:
    """Keep the answer, or raise the refusal that says why it does not count."""
    ports, worker_id = ctx.ports, ctx.worker.id if ctx.worker else None
    request = AnswerSurvey(survey_id, question, value, ctx.now, ctx.config.case_deadline_days)
    answered = await answer_return_visit(
        worker_id,
        worker_actor(ctx),
        request,
        ports.surveys,
        ports.cases,
        ports.trail,
    )
    view = await load_case(ctx.session, answered.survey.case_id)
    assert view is not None
    return Answer(answered, view)
