"""Planning the surveys of a resolution: the return visit and the anti-rebound check.

Each resolution gets its own pair (``round`` counts them), so a case that was reopened and
resolved again is asked again. A case filed at a reception point for someone who is not on
Telegram gets no survey: there is nobody to ask in the chat.
"""

from datetime import datetime

from handlers.context import Unit
from handlers.surveys.questions import REBOUND, RETURN_VISIT
from storage.due import schedule
from storage.models import Case, Survey
from storage.surveys import SURVEY_TASK, cancel_scheduled_surveys, next_round, turn_key

__all__ = ["SKIPPED_OUTCOMES", "plan_return_visit", "plan_turn"]

SKIPPED_OUTCOMES = ("duplicate",)
"""A duplicate's worker is asked about the case it duplicates, not twice."""


async def plan_return_visit(unit: Unit, case: Case) -> None:
    """Call when ``case`` has just been resolved (``resolved_at`` set). Surveys of an earlier
    resolution that were never asked are dropped: they would ask about a closure since undone."""
    if case.worker_id is None or case.resolved_at is None or case.outcome in SKIPPED_OUTCOMES:
        return
    assert case.id is not None
    await cancel_scheduled_surveys(unit.session, case.id)
    policy = unit.config.surveys
    number = await next_round(unit.session, case.id)
    for kind, delay in (
        (RETURN_VISIT, policy.return_visit_after),
        (REBOUND, policy.rebound_check_after),
    ):
        due_at = policy.next_opening(case.resolved_at + delay, unit.config.zone)
        survey = Survey(
            case_id=case.id, kind=kind, round=number, due_at=due_at, created_at=unit.now
        )
        unit.session.add(survey)
        await unit.session.flush()
        await plan_turn(unit, survey, due_at, 0)


async def plan_turn(unit: Unit, survey: Survey, at: datetime, turn: int) -> None:
    assert survey.id is not None
    await schedule(
        unit.session,
        SURVEY_TASK,
        turn_key(survey.id, turn),
        at,
        unit.now,
        case_id=survey.case_id,
        data={"survey": survey.id, "turn": turn},
    )
