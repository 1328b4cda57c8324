"""Turning a confirmed draft into a case: number, department, deadline, alert.

Everything here happens in the transaction of the worker's "Submit" press, so a case, its
first audit event, the worker's confirmation and the department's alert exist together or not
at all.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from handlers.case_card import CaseView, send_alert
from handlers.context import Context
from handlers.formatting import (
    department_name,
    format_date,
)
from handlers.menu import main_menu_buttons
from handlers.parsing import format_phone
from handlers.replies import escape
from handlers.report_arrears.steps import STORY
from handlers.staff.actor import actor_of, ensure_staff
from handlers.staff.deadlines import plan_deadlines
from handlers.staff.hard_cases import flag_hard_case
from storage.cases import add_attachments, add_case_event, count_cases_since, next_case_number
from storage.conversations import save_conversation
from storage.models import AttachmentRole, Case, CaseStatus, Department
from storage.people import department_by_code

__all__ = ["create_case", "file_for_worker", "submit_report", "under_daily_limit"]


async def under_daily_limit(ctx: Context) -> bool:
    """False (and the worker told why) once they filed today's allowance of reports."""
    assert ctx.worker is not None and ctx.worker.id is not None
    midnight = datetime.combine(ctx.local_now.date(), time(), ctx.config.zone)
    filed = await count_cases_since(ctx.session, ctx.worker.id, midnight)
    if filed < ctx.config.daily_case_limit:
        return True
    ctx.answer()
    ctx.reply(
        ctx._(
            "You have already filed {n} reports today, the most allowed in one day. Please "
            "try again tomorrow, or call a reception point (see Help) if it is urgent."
        ).format(n=filed)
    )
    return False


async def submit_report(ctx: Context, answers: dict[str, Any]) -> bool:
    """Create the case; False when the draft cannot be filed (today's limit reached)."""
    assert ctx.worker is not None and ctx.worker.id is not None
    if not await under_daily_limit(ctx):
        return False
    department = await department_of(ctx, answers)
    case = await create_case(ctx, answers, department)
    worker = ctx.worker
    worker.name, worker.phone = answers["name"], answers["phone"]
    ctx.session.add(worker)
    save_conversation(ctx.session, ctx.conversation, ctx.now, flow=None, step=None, data={})

    _ = ctx._
    ctx.reply(
        _(
            "✅ Your report was received.\n\n"
            "Case number: <b>{number}</b>\n"
            "Handled by: {department}\n"
            "Deadline for a response: {deadline}\n\n"
            "The department has been alerted. You will hear from us here when anything "
            "changes; you can check at any time under “My cases” or with /mycases."
        ).format(
            number=case.number,
            department=escape(department_name(department, ctx.language)),
            deadline=format_date(case.deadline_at, ctx.config.zone),
        ),
        main_menu_buttons(ctx),
    )
    await send_alert(ctx, new_case_view(case, department, answers))
    return True


async def file_for_worker(ctx: Context, answers: dict[str, Any]) -> None:
    """Staff at a reception point file for a walk-in or phoned-in worker: no daily limit;
    the staff member gets the number to give the worker, the department the usual alert."""
    actor = await actor_of(ctx)
    ensure_staff(actor)
    department = await department_of(ctx, answers)
    case = await create_case(ctx, answers, department, filed_by=actor.label)
    save_conversation(ctx.session, ctx.conversation, ctx.now, flow=None, step=None, data={})
    ctx.reply(
        ctx._(
            "✅ Case <b>{number}</b> was filed for {name}.\n\n"
            "Handled by: {department}\n"
            "Deadline for a response: {deadline}\n\n"
            "Give the worker the case number. The department will call them on {phone}."
        ).format(
            number=case.number,
            name=escape(case.reporter_name),
            department=escape(department_name(department, ctx.language)),
            deadline=format_date(case.deadline_at, ctx.config.zone),
            phone=format_phone(case.reporter_phone),
        ),
        main_menu_buttons(ctx),
    )
    await send_alert(ctx, new_case_view(case, department, answers))


def new_case_view(case: Case, department: Department, answers: dict[str, Any]) -> CaseView:
    """The alert's view of a case just filed, from the draft it was filed from."""
    evidence = Counter(f["kind"] for f in answers.get("evidence", []))
    story = tuple(f.get("duration") for f in answers.get(STORY, []))
    return CaseView(case, department, None, evidence, story=story)


async def department_of(ctx: Context, answers: dict[str, Any]) -> Department:
    routed = ctx.config.routing.department_for(answers["county"], answers["sector"])
    return await department_by_code(ctx.session, routed.code)


async def create_case(
    ctx: Context, answers: dict[str, Any], department: Department, *, filed_by: str | None = None
) -> Case:
    """``filed_by`` is the staff member filing at a reception point for a worker who came in
    person or phoned: the case is not linked to any Telegram account (source ``reception``)."""
    assert ctx.worker is not None and ctx.worker.id is not None and department.id is not None
    days = department.deadline_days or ctx.config.case_deadline_days
    number = await next_case_number(ctx.session, ctx.config.case_number_prefix, ctx.local_now.year)
    location = answers.get("site_location") or [None, None]
    case = Case(
        number=number,
        worker_id=None if filed_by else ctx.worker.id,
        source="reception" if filed_by else "telegram",
        department_id=department.id,
        status=CaseStatus.RECEIVED,
        language=ctx.config.default_language if filed_by else ctx.language,
        county=ctx.config.routing.county_code(answers["county"]),
        sector=answers["sector"],
        reporter_name=answers["name"],
        reporter_phone=answers["phone"],
        employer=answers["employer"],
        project=answers["project"],
        site_address=answers.get("site"),
        site_latitude=location[0],
        site_longitude=location[1],
        amount_fen=answers["amount_fen"],
        workers_owed=answers["workers"],
        owed_since=date.fromisoformat(answers["since"]),
        account=answers.get("account") or "",
        deadline_at=ctx.now + timedelta(days=days),
        created_at=ctx.now,
    )
    ctx.session.add(case)
    await ctx.session.flush()
    await add_attachments(
        ctx.session, case, answers.get(STORY, []), ctx.now, role=AttachmentRole.STORY
    )
    await add_attachments(ctx.session, case, answers.get("evidence", []), ctx.now)
    await add_case_event(
        ctx.session,
        case,
        actor=filed_by or f"worker:{ctx.worker.telegram_user_id}",
        kind="created",
        at=ctx.now,
        data={"department": department.code, "status": case.status},
    )
    await plan_deadlines(ctx, case)
    await flag_hard_case(ctx, case)
    return case
