"""Deadlines (限期办理): the department is reminded before, the leaders take over after.

Planned when a case is filed as due tasks keyed by the case, so a restart neither loses nor
repeats them. A transfer leaves them alone (the deadline does not restart, and a reminder goes
to whichever department has the case when it falls due); closing a case cancels them.
"""

from datetime import timedelta

from handlers.case_card import OPEN_STATUSES, CaseView, load_case
from handlers.context import Unit
from handlers.domain.ids import CaseId
from handlers.escalation import escalate
from handlers.formatting import N_, format_date
from handlers.i18n import translator
from handlers.notify import tell_department, tell_worker
from handlers.replies import SendMessage, escape
from storage.cases import add_case_event
from storage.due import cancel, schedule
from storage.models import Case, CaseStatus, DueTask

__all__ = ["DEADLINE", "REMINDER", "cancel_deadlines", "plan_deadlines"]

REMINDER = "deadline_reminder"
DEADLINE = "deadline"
REMINDER_DAYS = (3, 1)

DUE_IN_DAYS = N_(
    "⏰ Case {number} ({employer}) is due in {days} days, on {deadline}. Please settle it or "
    "record its progress."
)
DUE_TOMORROW = N_(
    "⏰ Case {number} ({employer}) is due tomorrow, {deadline}. Please settle it or record its "
    "progress."
)
WORKER_OVERDUE = N_(
    "Your case {number} was not settled by its deadline, {deadline}. It has now gone to the "
    "county leaders, who will make sure it is dealt with. You do not need to do anything; we "
    "will tell you here what happens."
)
DEPARTMENT_OVERDUE = N_(
    "⚠️ Case {number} passed its deadline, {deadline}, and has gone to the county leaders."
)
LEAD_OVERDUE = N_(
    "⚠️ Case {number}, escalated earlier, passed its deadline, {deadline}, without being settled."
)


def reminder_subject(case_id: int, days: int) -> str:
    return f"case:{case_id}:{days}d"


def deadline_subject(case_id: int) -> str:
    return f"case:{case_id}"


async def plan_deadlines(unit: Unit, case: Case) -> None:
    """Reminders at −3 and −1 days (those still ahead) and the deadline itself.

    Planning again (say, after the deadline was moved) moves the pending tasks.
    """
    assert case.id is not None
    session, now = unit.session, unit.now
    for days in REMINDER_DAYS:
        at = case.deadline_at - timedelta(days=days)
        if at > now:
            subject, data = reminder_subject(case.id, days), {"days": days}
            await schedule(session, REMINDER, subject, at, now, case_id=case.id, data=data)
    subject = deadline_subject(case.id)
    await schedule(session, DEADLINE, subject, case.deadline_at, now, case_id=case.id)


async def cancel_deadlines(unit: Unit, case: Case) -> None:
    """A case resolved or rejected needs no reminder and cannot fall overdue."""
    assert case.id is not None
    for days in REMINDER_DAYS:
        await cancel(unit.session, reminder_subject(case.id, days), [REMINDER])
    await cancel(unit.session, deadline_subject(case.id), [DEADLINE])


async def open_case(unit: Unit, task: DueTask) -> CaseView | None:
    """The task's case if it is still open, held until the task's transaction ends: a
    resolution committed meanwhile cannot be overwritten by the overdue mark."""
    view = await load_case(unit.session, task.case_id, lock=True) if task.case_id else None
    return view if view is not None and view.case.status in OPEN_STATUSES else None


async def remind_department(unit: Unit, task: DueTask) -> None:
    view = await open_case(unit, task)
    if view is None:
        return
    days = int(task.data["days"])
    await tell_department(
        unit,
        view,
        DUE_TOMORROW if days == 1 else DUE_IN_DAYS,
        days=days,
        employer=escape(view.case.employer),
        deadline=format_date(view.case.deadline_at, unit.config.zone),
    )


async def mark_overdue(unit: Unit, task: DueTask) -> None:
    """Overdue, in the audit trail, on the alert, to the worker, and up to the leaders."""
    view = await open_case(unit, task)
    if view is None or view.case.status == CaseStatus.OVERDUE:
        return
    case = view.case
    if case.deadline_at > unit.now:
        return  # the deadline was moved; whoever moved it planned it again
    before = {"status": case.status}
    case.status, case.overdue_at = CaseStatus.OVERDUE, unit.now
    unit.session.add(case)
    await add_case_event(
        unit.session,
        case,
        actor="system",
        kind="overdue",
        at=unit.now,
        data={"before": before, "after": {"status": case.status}},
    )
    deadline = format_date(case.deadline_at, unit.config.zone)
    await tell_worker(unit, case, WORKER_OVERDUE, deadline=deadline)
    await tell_department(unit, view, DEPARTMENT_OVERDUE, deadline=deadline)
    assert case.id is not None
    if (await escalate(unit, None, CaseId(case.id), ["overdue"])).first:
        return
    lead_chat = unit.config.routing.lead_chat_for(case.county)
    if lead_chat is not None:
        _ = translator(unit.config.default_language)
        text = _(LEAD_OVERDUE).format(number=case.number, deadline=deadline)
        unit.send(SendMessage(lead_chat, text))
