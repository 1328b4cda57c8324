"""/stats and /report: the figures as text, and as a chart and a spreadsheet.

``/stats [period]`` answers with the figures; ``/report [period]`` sends the weekly chart (PNG)
and the export of the period's cases (XLSX) as documents, so Telegram keeps them as they are.
The period is ``week``, ``month`` (the default), ``year`` or two dates.

Whose cases count is worked out like the case lists (``handlers.staff.commands``): a handler,
their department's; a county lead, the county's; a city lead, a supervisor or an admin, all,
with a line per county. In a group, that is narrowed to the cases the group is for.

/report from someone who is not staff, in a private chat, is the worker's report of unpaid
wages: it was the workers' command first.
"""

import asyncio

from handlers.context import Context
from handlers.domain.errors import Refusal
from handlers.figures import (
    Period,
    PeriodError,
    Scope,
    describe_scope,
    figures_html,
    gather_figures,
    parse_period,
)
from handlers.formatting import N_
from handlers.replies import MAX_DOCUMENT_BYTES, SendDocument, escape
from handlers.report_arrears.consent import begin_own_report
from handlers.report_files import chart_upload, workbook_upload
from handlers.staff.actor import Actor, actor_of, ensure_staff
from handlers.staff.commands import actor_scope, chat_scope
from storage.figures import cases_in_period, weekly_tallies

__all__ = ["send_report", "show_stats"]

USAGE = N_(
    "{problem} Type /{command} week, /{command} month, /{command} year, or two dates such as "
    "/{command} 2026-01-01 2026-03-31 (a period of at most 366 days)."
)
TOO_LARGE = N_(
    "The export is too large for Telegram. Choose a shorter period, or ask the operator to run "
    "arrears-bot export on the server."
)


async def show_stats(ctx: Context) -> None:
    period, scope = await _period_and_scope(ctx, await actor_of(ctx), "stats")
    report = await gather_figures(ctx.session, scope, period, ctx.config.zone, ctx.now)
    ctx.reply(figures_html(report, ctx.config.routing, ctx._))


async def send_report(ctx: Context) -> None:
    actor = await actor_of(ctx)
    if actor.staff is None and not actor.is_admin and ctx.event.is_private:
        await begin_own_report(ctx)
        return
    period, scope = await _period_and_scope(ctx, actor, "report")
    zone, routing, _ = ctx.config.zone, ctx.config.routing, ctx._
    renderer = ctx.config.renderer
    weeks = await weekly_tallies(ctx.session, scope.cases, period.week_bounds(zone))
    cases = await cases_in_period(ctx.session, scope.cases, *period.bounds(zone))
    figures = await gather_figures(ctx.session, scope, period, zone, ctx.now)
    chart = await asyncio.to_thread(
        chart_upload, renderer, weeks, period, scope, routing, ctx.language
    )
    book = await asyncio.to_thread(
        workbook_upload, renderer, figures, cases, routing, zone, ctx.language
    )
    if len(book.content) > MAX_DOCUMENT_BYTES:
        raise Refusal(TOO_LARGE)
    what = {"scope": escape(scope.name(routing, _)), "period": period.label(_)}
    chat = ctx.event.chat_id
    chart_caption = _("📈 Received and resolved per week: {scope}, {period}")
    ctx.send(SendDocument(chat, chart, chart_caption.format(**what)))
    book_caption = _("📑 {count} cases received or closed: {scope}, {period}")
    ctx.send(SendDocument(chat, book, book_caption.format(count=len(cases), **what)))


async def _period_and_scope(ctx: Context, actor: Actor, name: str) -> tuple[Period, Scope]:
    """The period asked for and the cases this person may count here."""
    ensure_staff(actor)
    try:
        period = parse_period(ctx.event.args, ctx.local_now.date())
    except PeriodError as error:
        raise Refusal(USAGE, problem=ctx._(str(error)), command=name) from None
    cases = (actor_scope(actor), await chat_scope(ctx))
    return period, await describe_scope(ctx.session, cases)
