"""Turning a confirmed draft into a case: the draft handed to ``handlers.usecases.file_report``
(number, department, deadline, trail, hard-case escalation), then the deadlines planned, the
confirmation and the department's alert.

Everything here happens in the transaction of the worker's "Submit" press, so a case, its
first audit event, the worker's confirmation and the department's alert exist together or not
at all.
"""

from collections import Counter
from datetime import date
from typing import Any

from handlers.case_card import CaseView, send_alert
from handlers.context import Context
from handlers.domain.ids import UserId, WorkerId
from handlers.domain.permissions import Actor
from handlers.escalation import announce_escalation
from handlers.formatting import (
    department_name,
    format_date,
)
from handlers.menu import main_menu_buttons
from handlers.parsing import format_phone
from handlers.ports_filing import SentFile
from handlers.replies import escape
from handlers.report_arrears.steps import STORY
from handlers.staff.actor import actor_of
from handlers.staff.deadlines import plan_deadlines
from handlers.usecases.file_report import (
    DailyLimitReached,
    FileReport,
    Reporter,
    ensure_under_daily_limit,
    file_report,
)
from storage.conversations import save_conversation
from storage.models import Case, Department

__all__ = ["file_for_worker", "submit_report", "under_daily_limit"]


async def under_daily_limit(ctx: Context) -> bool:
    """False (and the worker told why) once they filed today's allowance of reports."""
    assert ctx.worker is not None and ctx.worker.id is not None
    config = ctx.config
    try:
        await ensure_under_daily_limit(
            ctx.ports.filing, WorkerId(ctx.worker.id), ctx.now, config.zone, config.daily_case_limit
        )
    except DailyLimitReached as refusal:
        tell_over_limit(ctx, refusal)
        return False
    return True


def tell_over_limit(ctx: Context, refusal: DailyLimitReached) -> None:
    """The worker is told how many reports they filed today; the draft stays as it was."""
    ctx.answer()
    ctx.reply(ctx._(refusal.message).format(**refusal.values))


async def submit_report(ctx: Context, answers: dict[str, Any]) -> bool:
    """Create the case; False when the draft cannot be filed (today's limit reached)."""
    worker = ctx.worker
    assert worker is not None and worker.id is not None
    reporter = Reporter(WorkerId(worker.id), UserId(worker.telegram_user_id))
    try:
        case, department = await file_draft(ctx, answers, reporter, ctx.language)
    except DailyLimitReached as refusal:
        tell_over_limit(ctx, refusal)
        return False
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
    case, department = await file_draft(ctx, answers, actor, ctx.config.default_language)
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


async def file_draft(
    ctx: Context, answers: dict[str, Any], filer: Reporter | Actor, language: str
) -> tuple[Case, Department]:
    """File the draft (``handlers.usecases.file_report``), plan its deadlines and announce a
    hard case's escalation; the case and its department, for the confirmation and the alert."""
    filed = await file_report(
        report_of(ctx, answers, filer, language),
        filing=ctx.ports.filing,
        cases=ctx.ports.cases,
        trail=ctx.ports.trail,
    )
    case = await ctx.session.get(Case, filed.case.id)
    department = await ctx.session.get(Department, filed.case.department_id)
    assert case is not None and department is not None
    await plan_deadlines(ctx, case)
    if filed.escalated is not None:
        await announce_escalation(ctx, filed.escalated, alert_drawn=False)
    return case, department


def report_of(
    ctx: Context, answers: dict[str, Any], filer: Reporter | Actor, language: str
) -> FileReport:
    """The draft's answers as the use case takes them, routed by the routing table."""
    config = ctx.config
    county, sector = answers["county"], answers["sector"]
    location = answers.get("site_location")
    return FileReport(
        filer=filer,
        name=answers["name"],
        phone=answers["phone"],
        county=config.routing.county_code(county),
        sector=sector,
        department_code=config.routing.department_for(county, sector).code,
        employer=answers["employer"],
        project=answers["project"],
        site=answers.get("site"),
        location=(location[0], location[1]) if location else None,
        amount_fen=answers["amount_fen"],
        workers=answers["workers"],
        owed_since=date.fromisoformat(answers["since"]),
        account=answers.get("account") or "",
        story=sent_files(answers.get(STORY, [])),
        evidence=sent_files(answers.get("evidence", [])),
        language=language,
        now=ctx.now,
        zone=config.zone,
        daily_limit=config.daily_case_limit,
        number_prefix=config.case_number_prefix,
        rules=config.hard_cases,
        deadline_days=config.case_deadline_days,
    )


def sent_files(files: list[dict[str, Any]]) -> tuple[SentFile, ...]:
    """The files of a draft, as intake recorded them."""
    return tuple(
        SentFile(
            kind=file["kind"],
            file_id=file["file_id"],
            file_unique_id=file["file_unique_id"],
            file_name=file.get("file_name"),
            mime_type=file.get("mime_type"),
            size=file.get("file_size"),
            duration=file.get("duration"),
        )
        for file in files
    )
