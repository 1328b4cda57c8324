"""The weekly report: every Monday at 09:00 (local), last week's figures and a chart of the
last twelve weeks, to the supervisors' chat.

Each Monday's report is one due task (``weekly:2026-W49``), planned ahead and only if absent:
two instances, a restart, or a bot that was down on Monday morning and comes back later all
send it exactly once. Running it plans the next one, so the chain never breaks; the
scheduler also plans at start-up, which is what starts the chain.
"""

import asyncio
from datetime import datetime, time, timedelta

from handlers.context import Unit
from handlers.figures import Period, Scope, figures_html, gather_figures
from handlers.i18n import translator
from handlers.replies import SendMessage, SendPhoto, escape
from handlers.report_files import chart_upload
from storage.case_queries import EVERY_CASE
from storage.due import schedule_once
from storage.figures import weekly_tallies
from storage.models import DueTask

__all__ = ["WEEKLY_REPORT", "next_report_at", "plan_weekly_report", "send_weekly_report"]

WEEKLY_REPORT = "weekly_report"
REPORT_TIME = time(9, 0)
"""On Mondays, local time."""
CHART_WEEKS = 12


def next_report_at(local_now: datetime) -> datetime:
    """The first Monday 09:00 after ``local_now`` (an aware local time)."""
    monday = local_now.date() - timedelta(days=local_now.weekday())
    if datetime.combine(monday, REPORT_TIME, local_now.tzinfo) <= local_now:
        monday += timedelta(days=7)
    return datetime.combine(monday, REPORT_TIME, local_now.tzinfo)


async def plan_weekly_report(unit: Unit) -> None:
    """Plan the next Monday's report, unless it is planned or sent already."""
    due_at = next_report_at(unit.local_now)
    year, week, _day = due_at.isocalendar()
    subject = f"weekly:{year}-W{week:02d}"
    await schedule_once(unit.session, WEEKLY_REPORT, subject, due_at, unit.now)


async def send_weekly_report(unit: Unit, task: DueTask) -> None:
    await plan_weekly_report(unit)
    chat = unit.config.routing.supervisor_chat_id
    if chat is None:
        return
    zone, routing = unit.config.zone, unit.config.routing
    language = unit.config.default_language
    _ = translator(language)
    monday = task.due_at.astimezone(zone).date()
    monday -= timedelta(days=monday.weekday())
    scope = Scope((EVERY_CASE,))
    report = await gather_figures(unit.session, scope, Period.week_before(monday), zone, unit.now)
    unit.send(SendMessage(chat, _("🗓 Weekly report") + "\n" + figures_html(report, routing, _)))
    trend = Period(monday - timedelta(weeks=CHART_WEEKS), monday - timedelta(days=1))
    weeks = await weekly_tallies(unit.session, scope.cases, trend.week_bounds(zone))
    renderer = unit.config.renderer
    chart = await asyncio.to_thread(chart_upload, renderer, weeks, trend, scope, routing, language)
    caption = _("📈 The last {weeks} weeks: {period}").format(
        weeks=CHART_WEEKS, period=escape(trend.label(_))
    )
    unit.send(SendPhoto(chat, chart, caption))
