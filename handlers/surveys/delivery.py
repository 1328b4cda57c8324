"""Putting a survey to the worker: on time, in the asking hours, reminded, then closed.

Each turn is a due task of its own (``survey:<id>:<turn>``), run once by whichever instance
claims it, in the transaction that writes its message to the outbox and plans the next turn.
A turn that falls outside the asking hours (the bot was down, or a reminder came due at night)
plans the same step for the next opening instead. A worker the question cannot reach (they
blocked the bot: ``handlers.notify.reachable``) makes the survey ``undeliverable``, recorded on
the case's timeline; silence after the last reminder makes it
``unanswered``. Neither counts as an answer.
"""

from handlers.context import Keyboard, Unit
from handlers.i18n import Translator
from handlers.notify import reach, reachable
from handlers.surveys.plan import plan_turn
from handlers.surveys.questions import opening_question
from storage.cases import add_case_event
from storage.models import Case, CaseStatus, DueTask, Survey, SurveyStatus, Worker
from storage.surveys import case_of_survey, lock_survey, reached_nobody

__all__ = ["take_turn"]

OPEN = (SurveyStatus.SCHEDULED, SurveyStatus.ASKED)


async def take_turn(unit: Unit, task: DueTask) -> None:
    survey_id = int(task.data["survey"])
    case_id = await case_of_survey(unit.session, survey_id)
    if case_id is None:
        return
    case = await unit.session.get(Case, case_id, with_for_update=True)
    survey = await lock_survey(unit.session, survey_id)
    assert case is not None
    if survey.status not in OPEN:
        return
    if case.status != CaseStatus.RESOLVED:
        survey.status = SurveyStatus.CANCELLED  # reopened: the next resolution asks anew
        unit.session.add(survey)
        return
    worker = await unit.session.get(Worker, case.worker_id) if case.worker_id else None
    policy, zone, following = unit.config.surveys, unit.config.zone, task.data["turn"] + 1
    if worker is None or not reachable(worker) or await refused(unit, survey):
        await close(unit, case, survey, SurveyStatus.UNDELIVERABLE)
    elif survey.status == SurveyStatus.ASKED and survey.reminders >= policy.max_reminders:
        await close(unit, case, survey, SurveyStatus.UNANSWERED)
    elif (opening := policy.next_opening(unit.now, zone)) > unit.now:
        await plan_turn(unit, survey, opening, following)
    else:
        await ask(unit, case, survey, worker, task.subject)
        after = unit.now + policy.reminder_after
        if survey.reminders < policy.max_reminders:
            after = policy.next_opening(after, zone)
        await plan_turn(unit, survey, after, following)


async def refused(unit: Unit, survey: Survey) -> bool:
    """Whether Telegram refused a message of this survey (nothing is sent before it is asked)."""
    assert survey.id is not None
    asked = survey.status == SurveyStatus.ASKED
    return asked and await reached_nobody(unit.session, survey.id)


async def ask(unit: Unit, case: Case, survey: Survey, worker: Worker, ref: str) -> None:
    """The first question, or the same again as a reminder; either waits for the answer."""
    reminder = survey.status == SurveyStatus.ASKED
    zone = unit.config.zone

    def question(_: Translator) -> tuple[str, Keyboard]:
        return opening_question(survey, case, zone, _, reminder=reminder)

    await reach(unit, worker, question, case=None, ref=ref)  # reachable: checked by take_turn
    if reminder:
        survey.reminders += 1
    else:
        survey.status, survey.asked_at = SurveyStatus.ASKED, unit.now
    unit.session.add(survey)


async def close(unit: Unit, case: Case, survey: Survey, status: SurveyStatus) -> None:
    before = survey.status
    survey.status = status
    unit.session.add(survey)
    await add_case_event(
        unit.session,
        case,
        actor="system",
        kind=f"survey_{status}",
        at=unit.now,
        data={
            "survey": survey.id,
            "survey_kind": survey.kind,
            "round": survey.round,
            "before": {"survey_status": before},
            "after": {"survey_status": status},
        },
    )
