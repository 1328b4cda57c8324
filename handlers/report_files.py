"""What goes into a report's files: the weekly chart, the case export and the figures sheet.

The functions that build files are synchronous CPU work; handlers run them in a thread
(``asyncio.to_thread``) after reading what they need from the database. They decide what the
files hold; the ``renderer`` they are given (``HandlerConfig.renderer``) draws and writes them.

The export holds the cases received, resolved or rejected in the period (one row each), so
each figure of the period can be traced to its rows. Times are local (``zone``), as staff
read them; amounts are in yuan.
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from handlers.case_card import OUTCOME_NAMES
from handlers.figures import (
    FigureReport,
    Period,
    Scope,
    average_days,
    closure_rate,
    on_time_rate,
    response_rate,
    satisfaction_rate,
)
from handlers.formatting import N_, SECTOR_NAMES, STATUS_NAMES, department_name, fen_to_yuan
from handlers.i18n import Translator, translator
from handlers.ports_reports import Cell, ReportRenderer, Sheet, WeeklyChart
from handlers.replies import Upload
from handlers.routing import Routing
from storage.figures import Tally, WeekTally
from storage.models import Case, Department

__all__ = [
    "CASE_COLUMNS",
    "case_rows",
    "cases_csv",
    "chart_upload",
    "figure_rows",
    "workbook_upload",
]

CaseRow = tuple[Case, Department]

CASE_COLUMNS = (
    N_("Case number"),
    N_("Status"),
    N_("County"),
    N_("Department"),
    N_("Sector"),
    N_("Employer"),
    N_("Amount owed (yuan)"),
    N_("Amount recovered (yuan)"),
    N_("Workers owed"),
    N_("Workers paid"),
    N_("Created"),
    N_("Resolved"),
    N_("Deadline"),
    N_("Hard case"),
    N_("Outcome"),
)
PERCENT, AMOUNT, DAYS, TIME = "0.0%", "#,##0.00", "0.0", "yyyy-mm-dd hh:mm"
CASE_FORMATS = {6: AMOUNT, 7: AMOUNT, 10: TIME, 11: TIME, 12: TIME}


def chart_upload(
    renderer: ReportRenderer,
    weeks: Sequence[WeekTally],
    period: Period,
    scope: Scope,
    routing: Routing,
    language: str,
) -> Upload:
    """Received and resolved per week (``period.week_bounds``), and average handling days."""
    _ = translator(language)
    chart = WeeklyChart(
        title=_title(scope, period, routing, _),
        weeks=[f"{start:%m-%d}" for start in period.week_starts()],
        received=[week.received for week in weeks],
        resolved=[week.resolved for week in weeks],
        average_days=[average_days(week) for week in weeks],
        received_label=_("Received"),
        resolved_label=_("Resolved"),
        counts_title=_("Cases received and resolved per week"),
        days_title=_("Average handling time (days) of the cases resolved"),
    )
    return Upload(f"chart-{period.first}-{period.last}.png", renderer.chart_png(chart))


def workbook_upload(
    renderer: ReportRenderer,
    report: FigureReport,
    cases: Sequence[CaseRow],
    routing: Routing,
    zone: ZoneInfo,
    language: str,
) -> Upload:
    _ = translator(language)
    header, rows = figure_rows(report, routing, _)
    figures = Sheet(
        _("Figures"), header, [values for _f, values in rows], row_formats=_row_formats(rows)
    )
    cases_sheet = Sheet(
        _("Cases"),
        [_(column) for column in CASE_COLUMNS],
        case_rows(cases, routing, zone, _),
        column_formats=CASE_FORMATS,
    )
    name = f"cases-{report.period.first}-{report.period.last}.xlsx"
    return Upload(name, renderer.workbook([cases_sheet, figures]))


def cases_csv(
    renderer: ReportRenderer,
    cases: Sequence[CaseRow],
    routing: Routing,
    zone: ZoneInfo,
    language: str,
) -> bytes:
    _ = translator(language)
    return renderer.csv([_(column) for column in CASE_COLUMNS], case_rows(cases, routing, zone, _))


def case_rows(
    cases: Sequence[CaseRow], routing: Routing, zone: ZoneInfo, _: Translator
) -> list[list[Cell]]:
    return [
        [
            case.number,
            _(STATUS_NAMES.get(case.status, case.status)),
            routing.county_name(case.county, _.language),
            department_name(department, _.language),
            _(SECTOR_NAMES.get(case.sector, case.sector)),
            case.employer,
            fen_to_yuan(case.amount_fen),
            _yuan(case.amount_recovered_fen),
            case.workers_owed,
            case.workers_paid,
            _local(case.created_at, zone),
            _local(case.resolved_at, zone),
            _local(case.deadline_at, zone),
            _("yes") if case.hard else _("no"),
            _(OUTCOME_NAMES[case.outcome]) if case.outcome in OUTCOME_NAMES else case.outcome,
        ]
        for case, department in cases
    ]


def figure_rows(
    report: FigureReport, routing: Routing, _: Translator
) -> tuple[list[str], list[tuple[str, list[Cell]]]]:
    """A header (figure, total, then each county for a city-wide report) and one row per
    figure, tagged with its number format."""
    tallies = [report.total]
    header = [_title(report.scope, report.period, routing, _), _("Total")]
    if report.scope.whole_city:
        codes = [c.code for c in routing.counties]
        codes += sorted(set(report.by_county) - set(codes))
        header += [routing.county_name(code, _.language) for code in codes]
        tallies += [report.by_county.get(code, Tally()) for code in codes]

    def row(label: str, number_format: str, values: list[Cell]) -> tuple[str, list[Cell]]:
        return number_format, [_(label), *values]

    return header, [
        row(N_("Received"), "0", [t.received for t in tallies]),
        row(N_("Closed of those received"), "0", [t.closed_of_received for t in tallies]),
        row(N_("Closure rate"), PERCENT, [_rate(closure_rate(t)) for t in tallies]),
        row(N_("Resolved"), "0", [t.resolved for t in tallies]),
        row(N_("Rejected"), "0", [t.rejected for t in tallies]),
        row(N_("Average handling days"), DAYS, [_days(average_days(t)) for t in tallies]),
        row(N_("Resolved on time"), "0", [t.on_time for t in tallies]),
        row(N_("On-time rate"), PERCENT, [_rate(on_time_rate(t)) for t in tallies]),
        row(N_("Overdue now"), "0", [t.overdue_now for t in tallies]),
        row(N_("Return visits answered"), "0", [t.answered for t in tallies]),
        row(N_("Satisfied answers (rating 4 or 5)"), "0", [t.satisfied for t in tallies]),
        row(N_("Satisfaction rate"), PERCENT, [_rate(satisfaction_rate(t)) for t in tallies]),
        row(N_("Return visits unanswered"), "0", [t.unanswered for t in tallies]),
        row(N_("Return visits undeliverable"), "0", [t.undeliverable for t in tallies]),
        row(N_("Survey response rate"), PERCENT, [_rate(response_rate(t)) for t in tallies]),
        row(N_("Claimed (yuan)"), AMOUNT, [fen_to_yuan(t.claimed_fen) for t in tallies]),
        row(N_("Agreed (yuan)"), AMOUNT, [fen_to_yuan(t.agreed_fen) for t in tallies]),
        row(N_("Recovered (yuan)"), AMOUNT, [fen_to_yuan(t.recovered_fen) for t in tallies]),
        row(N_("Workers helped"), "0", [t.workers_helped for t in tallies]),
    ]


def _row_formats(rows: list[tuple[str, list[Cell]]]) -> dict[int, str]:
    return {index: number_format for index, (number_format, _v) in enumerate(rows)}


def _title(scope: Scope, period: Period, routing: Routing, _: Translator) -> str:
    return _("{scope}, {period}").format(scope=scope.name(routing, _), period=period.label(_))


def _yuan(fen: int | None) -> Decimal | None:
    return fen_to_yuan(fen) if fen is not None else None


def _days(days: float | None) -> Cell:
    return "—" if days is None else days


def _rate(rate: Fraction | None) -> Cell:
    return "—" if rate is None else Decimal(rate.numerator) / Decimal(rate.denominator)


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.astimezone(zone).replace(tzinfo=None) if moment is not None else None
