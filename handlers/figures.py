"""The published figures: what each one means, for which period and scope, and how it reads.

Definitions (DOMAIN.md, "Figures, defined once"), for cases in the scope:

- received: cases created in the period.
- resolved: cases resolved in the period and still resolved (a reopened case is not).
- closure rate: of the cases received in the period, those closed (resolved or rejected) by
  now ÷ cases received in the period.
- average handling days: creation to resolution, averaged over the cases resolved.
- on-time rate: cases resolved by their deadline ÷ cases resolved.
- overdue now: open cases past their deadline at this moment, whatever the period.
- satisfaction rate: return visits due in the period answered with a rating of 4 or 5 ÷
  return visits answered; unanswered and undeliverable ones are counted apart.
- survey response rate: answered ÷ (answered + unanswered + undeliverable).
- claimed: amount owed on the cases received; agreed: amounts agreed at consultations whose
  outcome was recorded in the period (a case's latest); recovered: amounts staff recorded as
  paid on the cases resolved.
- workers helped: workers staff recorded as paid on the cases resolved (``workers_paid``, not
  ``workers_owed``: a case withdrawn or not substantiated helped no one get paid).

A rate whose denominator is zero reads "—", and a line at the end of the figures says so.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.formatting import N_, department_name, format_amount, join_list
from handlers.i18n import Translator
from handlers.replies import escape
from handlers.routing import Routing
from storage.case_queries import CaseScope
from storage.figures import Tally, WeekTally, tally_by_county
from storage.models import Department

__all__ = [
    "MAX_DAYS",
    "FigureReport",
    "Period",
    "PeriodError",
    "Scope",
    "average_days",
    "closure_rate",
    "county_lines",
    "days_text",
    "describe_scope",
    "figures_html",
    "figures_lines",
    "gather_figures",
    "on_time_rate",
    "parse_period",
    "percent",
    "response_rate",
    "satisfaction_rate",
]

MAX_DAYS = 366
NAMED_PERIODS = {
    "week": "week",
    "本周": "week",
    "周": "week",
    "month": "month",
    "本月": "month",
    "月": "month",
    "year": "year",
    "本年": "year",
    "今年": "year",
    "年": "year",
}
DATES = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:\s|~|至|到|\.\.)\s*(\d{4}-\d{1,2}-\d{1,2}))?")
NOTHING = "—"


class PeriodError(ValueError):
    """Period text that is not a period; ``str(error)`` is a catalog message id."""


@dataclass(frozen=True, slots=True)
class Period:
    """Whole local days, ``first`` to ``last`` inclusive."""

    first: date
    last: date

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """From local midnight on the first day to the midnight after the last (excluded)."""
        return _midnight(self.first, zone), _midnight(self.last + timedelta(days=1), zone)

    def week_starts(self) -> list[date]:
        """Monday-to-Sunday weeks, the first and last cut to the period: their first days."""
        days = [self.first]
        monday = self.first + timedelta(days=7 - self.first.weekday())
        while monday <= self.last:
            days.append(monday)
            monday += timedelta(days=7)
        return days

    def week_bounds(self, zone: ZoneInfo) -> list[datetime]:
        """Where each week starts, and where the last one ends."""
        return [_midnight(day, zone) for day in self.week_starts()] + [self.bounds(zone)[1]]

    def label(self, _: Translator) -> str:
        return _("{first} to {last}").format(first=self.first, last=self.last)

    @classmethod
    def week_before(cls, monday: date) -> "Period":
        return cls(monday - timedelta(days=7), monday - timedelta(days=1))


def parse_period(text: str, today: date) -> Period:
    """``week``, ``month``, ``year`` (the current one, also 本周/本月/今年), a day or two days
    ``YYYY-MM-DD YYYY-MM-DD``; empty means this month."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    named = NAMED_PERIODS.get(text or "month")
    if named == "week":
        monday = today - timedelta(days=today.weekday())
        return Period(monday, monday + timedelta(days=6))
    if named == "month":
        after = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return Period(today.replace(day=1), after - timedelta(days=1))
    if named == "year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31))
    match = DATES.fullmatch(text)
    if match is None:
        raise PeriodError(N_("That is not a period."))
    try:
        first = date.fromisoformat(_padded(match[1]))
        last = date.fromisoformat(_padded(match[2])) if match[2] else first
    except ValueError:
        raise PeriodError(N_("That date does not exist.")) from None
    if last < first:
        raise PeriodError(N_("The first date must not be after the second."))
    if (last - first).days >= MAX_DAYS:
        raise PeriodError(N_("A period can be at most 366 days long."))
    return Period(first, last)


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose cases count: a case must be in every one of ``cases``."""

    cases: tuple[CaseScope, ...]
    county: str | None = None
    departments: tuple[Department, ...] = ()

    @property
    def whole_city(self) -> bool:
        return self.county is None and not any(s.department_ids is not None for s in self.cases)

    def name(self, routing: Routing, _: Translator) -> str:
        if self.departments:
            return join_list((department_name(d, _.language) for d in self.departments), _)
        if any(s.department_ids is not None for s in self.cases):
            return _("no department")
        if self.county is not None:
            return routing.county_name(self.county, _.language)
        return _("all counties")


async def describe_scope(session: AsyncSession, cases: tuple[CaseScope, ...]) -> Scope:
    """The scope that ``cases`` together admit, with the names of its departments."""
    county = min((s.county for s in cases if s.county is not None), default=None)
    id_sets = [set(s.department_ids) for s in cases if s.department_ids is not None]
    if not id_sets:
        return Scope(cases, county)
    ids = set.intersection(*id_sets)
    statement = select(Department).where(col(Department.id).in_(ids)).order_by(col(Department.code))
    return Scope(cases, county, tuple((await session.exec(statement)).all()))


@dataclass(frozen=True, slots=True)
class FigureReport:
    period: Period
    scope: Scope
    total: Tally
    by_county: dict[str, Tally] = field(default_factory=dict)
    """Per county, for a city-wide scope."""


async def gather_figures(
    session: AsyncSession, scope: Scope, period: Period, zone: ZoneInfo, now: datetime
) -> FigureReport:
    start, end = period.bounds(zone)
    counties = await tally_by_county(session, scope.cases, start, end, now)
    total = sum(counties.values(), Tally())
    return FigureReport(period, scope, total, counties if scope.whole_city else {})


def closure_rate(t: Tally) -> Fraction | None:
    return _ratio(t.closed_of_received, t.received)


def on_time_rate(t: Tally) -> Fraction | None:
    return _ratio(t.on_time, t.resolved)


def satisfaction_rate(t: Tally) -> Fraction | None:
    return _ratio(t.satisfied, t.answered)


def response_rate(t: Tally) -> Fraction | None:
    return _ratio(t.answered, t.answered + t.unanswered + t.undeliverable)


def average_days(t: Tally | WeekTally) -> float | None:
    return t.handling_days / t.resolved if t.resolved else None


def percent(rate: Fraction | None) -> str:
    if rate is None:
        return NOTHING
    value = Decimal(rate.numerator) * 100 / Decimal(rate.denominator)
    return f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def days_text(days: float | None, _: Translator) -> str:
    return NOTHING if days is None else _("{days} days").format(days=f"{days:.1f}")


def figures_lines(report: FigureReport, routing: Routing, _: Translator) -> list[str]:
    """The figures as plain lines, the heading first; callers escape them for HTML."""
    t = report.total
    lines = [
        _("Figures for {scope}, {period}").format(
            scope=report.scope.name(routing, _), period=report.period.label(_)
        ),
        _("Received: {count}").format(count=t.received),
        _("Resolved: {resolved} · rejected: {rejected}").format(
            resolved=t.resolved, rejected=t.rejected
        ),
        _("Closure rate: {rate} ({closed} of {received} received are closed)").format(
            rate=percent(closure_rate(t)), closed=t.closed_of_received, received=t.received
        ),
        _("Average handling time: {days}").format(days=days_text(average_days(t), _)),
        _("Resolved on time: {rate} ({on_time} of {resolved})").format(
            rate=percent(on_time_rate(t)), on_time=t.on_time, resolved=t.resolved
        ),
        _("Overdue now: {count}").format(count=t.overdue_now),
        _("Satisfaction: {rate} ({satisfied} of {answered} answers)").format(
            rate=percent(satisfaction_rate(t)), satisfied=t.satisfied, answered=t.answered
        ),
        _("Return visits unanswered: {unanswered} · undeliverable: {undeliverable}").format(
            unanswered=t.unanswered, undeliverable=t.undeliverable
        ),
        _("Survey response rate: {rate}").format(rate=percent(response_rate(t))),
        _("Claimed: {claimed} · agreed: {agreed} · recovered: {recovered}").format(
            claimed=format_amount(t.claimed_fen, _),
            agreed=format_amount(t.agreed_fen, _),
            recovered=format_amount(t.recovered_fen, _),
        ),
        _("Workers helped: {count}").format(count=t.workers_helped),
    ]
    if report.scope.whole_city:
        lines += ["", _("By county:"), *county_lines(report, routing, _)]
    if any(NOTHING in line for line in lines):
        lines += ["", _("“—”: nothing to measure, as no case in the period counts for it.")]
    return lines


def figures_html(report: FigureReport, routing: Routing, _: Translator) -> str:
    """The figures as a Telegram message."""
    head, *body = figures_lines(report, routing, _)
    return "\n".join([f"📊 <b>{escape(head)}</b>", *map(escape, body)])


def county_lines(report: FigureReport, routing: Routing, _: Translator) -> list[str]:
    """Every county of the routing file in its order, then any other county with cases."""
    known = [c.code for c in routing.counties]
    codes = known + sorted(set(report.by_county) - set(known))
    line = N_(
        "{county}: received {received}, resolved {resolved}, closure {closure}, "
        "average time {days}, overdue {overdue}, recovered {recovered}"
    )
    return [
        _(line).format(
            county=routing.county_name(code, _.language),
            received=t.received,
            resolved=t.resolved,
            closure=percent(closure_rate(t)),
            days=days_text(average_days(t), _),
            overdue=t.overdue_now,
            recovered=format_amount(t.recovered_fen, _),
        )
        for code in codes
        for t in [report.by_county.get(code, Tally())]
    ]


def _ratio(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone)


def _padded(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"
