"""The report's files: a chart whose Chinese renders, an XLSX and a CSV that open with the
expected rows, from chat (/report) and from the command line (stats, export)."""

import argparse
import csv
import dataclasses
import io
import stat
import warnings
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from matplotlib.font_manager import fontManager
from PIL import Image

from bot.report_cli import add_report_commands, run_report_command
from bot.report_files import FONT_FILE, render_chart
from bot.settings import Settings, load_settings
from handlers import HandlerConfig
from handlers.figures import FigureReport, Period, describe_scope, gather_figures
from handlers.ports_reports import WeeklyChart
from handlers.replies import SendDocument
from handlers.report_files import cases_csv, chart_upload, workbook_upload
from storage.case_queries import EVERY_CASE
from storage.db import Database
from storage.figures import WeekTally, cases_in_period, weekly_tallies
from storage.models import Case, StaffRole
from tests.fakes.reports import RecordingRenderer
from tests.support.chat import Bench
from tests.support.clock import FakeClock
from tests.support.figures_data import seed_november
from tests.support.people import make_staff

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
PNG = b"\x89PNG\r\n\x1a\n"
CHINESE_CHART = WeeklyChart(
    title="全部县区，2026-11-01 至 2026-11-30",
    weeks=["11-01", "11-02", "11-09"],
    received=[1, 4, 1],
    resolved=[1, 0, 1],
    average_days=[11.0, None, 10.0],
    received_label="收到",
    resolved_label="办结",
    counts_title="每周收到与办结的案件",
    days_title="办结案件的平均办理天数",
)
EXPORT_ORDER = ["A5", "T1", "A1", "A2", "R1", "A3", "A4", "T3"]
"""Cases received or closed in November, oldest first (A5 was received in October)."""
NUMBERS = {"A1": 1, "A2": 2, "A3": 3, "A4": 4, "A5": 5, "R1": 6, "T1": 7, "T3": 9}
HEADER = [
    "Case number",
    "Status",
    "County",
    "Department",
    "Sector",
    "Employer",
    "Amount owed (yuan)",
    "Amount recovered (yuan)",
    "Workers owed",
    "Workers paid",
    "Created",
    "Resolved",
    "Deadline",
    "Hard case",
    "Outcome",
]
A2_ROW = [
    "DX-2026-000002",
    "Resolved",
    "Anding District",
    "Anding District Housing and Urban-Rural Development Bureau",
    "Construction",
    "Employer A2",
    50_000,
    30_000,
    5,
    3,
    datetime(2026, 11, 3, 9),
    datetime(2026, 11, 23, 21),
    datetime(2026, 11, 18, 9),
    "no",
    "partly paid",
]


def number(name: str) -> str:
    return f"DX-2026-{NUMBERS[name]:06d}"


@dataclasses.dataclass
class November:
    report: FigureReport
    cases: list[tuple[Case, object]]
    weeks: list[WeekTally]


async def november(db: Database, config: HandlerConfig, clock: FakeClock) -> November:
    async with db.reader() as session:
        scope = await describe_scope(session, (EVERY_CASE,))
        report = await gather_figures(session, scope, NOVEMBER, config.zone, clock.now())
        cases = await cases_in_period(session, scope.cases, *NOVEMBER.bounds(config.zone))
        weeks = await weekly_tallies(session, scope.cases, NOVEMBER.week_bounds(config.zone))
    return November(report, list(cases), weeks)


# --- the chart ----------------------------------------------------------------------------------


def test_the_chart_draws_chinese_in_the_shipped_cjk_font_without_missing_glyphs() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart = render_chart(CHINESE_CHART)
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    assert chart.font == "WenQuanYi Micro Hei"
    assert str(FONT_FILE) in {font.fname for font in fontManager.ttflist}
    assert chart.png.startswith(PNG)
    with Image.open(io.BytesIO(chart.png)) as image:
        image.verify()
        assert image.format == "PNG" and image.size == (1100, 715)


async def test_the_report_chart_of_a_month_is_a_png_in_chinese(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await seed_november(db)
    data = await november(db, config, clock)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        upload = chart_upload(
            config.renderer, data.weeks, NOVEMBER, data.report.scope, config.routing, "zh"
        )
    assert [str(w.message) for w in caught] == []
    assert upload.file_name == "chart-2026-11-01-2026-11-30.png"
    assert upload.content.startswith(PNG)


# --- the spreadsheet and the CSV ----------------------------------------------------------------


async def test_the_workbook_has_a_row_per_case_and_a_sheet_of_figures(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await seed_november(db)
    data = await november(db, config, clock)
    upload = workbook_upload(
        config.renderer, data.report, data.cases, config.routing, config.zone, "en"
    )
    assert upload.file_name == "cases-2026-11-01-2026-11-30.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(upload.content))
    assert book.sheetnames == ["Cases", "Figures"]

    rows = [list(row) for row in book["Cases"].iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == [number(name) for name in EXPORT_ORDER]
    assert rows[4] == A2_ROW
    a1, r1, t3 = rows[3], rows[5], rows[8]
    assert (a1[13], a1[14]) == ("yes", "paid in full")
    assert (r1[1], r1[7], r1[9], r1[14]) == ("Reopened", None, None, None)
    assert (t3[4], t3[7], t3[14]) == ("Other", 0, "withdrawn by the worker")
    assert book["Cases"]["K2"].number_format == "yyyy-mm-dd hh:mm"

    figures = {row[0]: row[1:4] for row in book["Figures"].iter_rows(values_only=True)}
    assert figures["all counties, 2026-11-01 to 2026-11-30"] == (
        "Total",
        "Anding District",
        "Tongwei County",
    )
    assert figures["Received"] == (7, 5, 2)
    assert figures["Closed of those received"] == (4, 3, 1)
    assert figures["Resolved"] == (4, 3, 1)
    assert figures["Overdue now"] == (2, 1, 1)
    assert figures["Recovered (yuan)"] == (190_000, 190_000, 0)
    assert figures["Agreed (yuan)"] == (50_000, 50_000, 0)
    assert figures["Workers helped"] == (19, 19, 0)
    assert figures["Satisfaction rate"][:2] == (0.5, 0.5) and figures["Satisfaction rate"][2] == "—"
    assert [round(v, 4) for v in figures["Closure rate"]] == [0.5714, 0.6, 0.5]
    assert [round(v, 4) for v in figures["Average handling days"]] == [11.7, 13.8333, 5.3]
    row = next(r for r in book["Figures"].iter_rows() if r[0].value == "Closure rate")
    assert row[1].number_format == "0.0%"
    longxi = [row[4] for row in book["Figures"].iter_rows(values_only=True)]
    assert longxi[:4] == ["Longxi County", 0, 0, "—"]


async def test_the_csv_has_the_same_rows_and_opens_in_excel(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await seed_november(db)
    data = await november(db, config, clock)
    content = cases_csv(config.renderer, data.cases, config.routing, config.zone, "en")
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == [number(name) for name in EXPORT_ORDER]
    assert rows[4][5:13] == [
        "Employer A2",
        "50000.00",
        "30000.00",
        "5",
        "3",
        "2026-11-03 09:00",
        "2026-11-23 21:00",
        "2026-11-18 09:00",
    ]


async def test_text_a_worker_typed_is_never_a_formula_in_the_files(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    cases = await seed_november(db)
    async with db.transaction() as session:
        case = await session.get(Case, cases["A2"].id)
        assert case is not None
        case.employer = '=HYPERLINK("http://evil.example","pay here")'
        session.add(case)
    data = await november(db, config, clock)
    upload = workbook_upload(
        config.renderer, data.report, data.cases, config.routing, config.zone, "en"
    )
    cell = openpyxl.load_workbook(io.BytesIO(upload.content))["Cases"]["F5"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil.example","pay here")', "s")
    content = cases_csv(config.renderer, data.cases, config.routing, config.zone, "en")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[4][5] == '\'=HYPERLINK("http://evil.example","pay here")'


# --- /report in chat ----------------------------------------------------------------------------


@pytest.fixture
def bench(db: Database, config: HandlerConfig, clock: FakeClock) -> Bench:
    return Bench(db, dataclasses.replace(config, default_language="en"), clock)


async def test_report_sends_the_chart_and_the_workbook_as_documents(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    await seed_november(db)
    await make_staff(db, clock, 601, StaffRole.SUPERVISOR)
    chart, book = await bench.chat(601).send("/report month")
    assert isinstance(chart, SendDocument) and isinstance(book, SendDocument)
    assert chart.document.content.startswith(PNG)
    assert chart.caption == (
        "📈 Received and resolved per week: all counties, 2026-11-01 to 2026-11-30"
    )
    assert book.caption == "📑 8 cases received or closed: all counties, 2026-11-01 to 2026-11-30"
    rows = list(openpyxl.load_workbook(io.BytesIO(book.document.content))["Cases"].values)
    assert [row[0] for row in rows[1:]] == [number(name) for name in EXPORT_ORDER]
    assert chart.to_json()["document"]["file_name"] == "chart-2026-11-01-2026-11-30.png"


async def test_report_sends_what_the_renderer_it_was_given_drew(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await seed_november(db)
    await make_staff(db, clock, 601, StaffRole.SUPERVISOR)
    renderer = RecordingRenderer()
    bench = Bench(db, dataclasses.replace(config, default_language="en", renderer=renderer), clock)
    chart, book = await bench.chat(601).send("/report 2026-11-01 2026-11-30")
    assert isinstance(chart, SendDocument) and isinstance(book, SendDocument)
    assert (chart.document.content, book.document.content) == (b"chart", b"workbook")
    [drawn] = renderer.charts
    assert (drawn.title, drawn.received_label) == (
        "all counties, 2026-11-01 to 2026-11-30",
        "Received",
    )
    [sheets] = renderer.workbooks
    assert [sheet.title for sheet in sheets] == ["Cases", "Figures"]
    assert list(sheets[0].header) == HEADER and len(sheets[0].rows) == len(EXPORT_ORDER)


async def test_a_handlers_report_holds_only_their_departments_cases(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    await seed_november(db)
    await make_staff(db, clock, 601)
    _chart, book = await bench.chat(601).send("/report 2026-11-01 2026-11-30")
    assert isinstance(book, SendDocument)
    rows = list(openpyxl.load_workbook(io.BytesIO(book.document.content))["Cases"].values)
    assert [row[0] for row in rows[1:]] == [number(n) for n in ["A5", "A1", "A2", "R1", "A4"]]


async def test_report_from_a_worker_in_private_is_their_report_of_unpaid_wages(
    bench: Bench,
) -> None:
    worker = bench.chat(701)
    await worker.begin_report("/report")
    assert worker.last.buttons[0][0].data == "in:name:cancel"


async def test_report_from_someone_not_staff_in_a_group_is_refused(bench: Bench) -> None:
    stranger = bench.chat(702, chat_id=-1001000000101)
    await stranger.send("/report")
    assert stranger.last.text == "This is for department staff only."


# --- arrears-bot stats and export -----------------------------------------------------------------


def cli(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_report_commands(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


@pytest.fixture
def cli_settings(
    settings: Settings, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    return load_settings()


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
async def test_the_command_line_exports_a_departments_cases(
    db: Database, cli_settings: Settings, clock: FakeClock, tmp_path: Path, kind: str
) -> None:
    await seed_november(db)
    output = tmp_path / f"anding.{kind}"
    output.write_bytes(b"an older export, readable by all")
    output.chmod(0o644)
    argv = ["export", "--format", kind, "--period", "2026-11-01 2026-11-30"]
    args = cli(*argv, "--department", "anding.construction", "--output", str(output))
    assert await run_report_command(args, cli_settings, clock.now()) == f"wrote 5 cases to {output}"
    assert stat.S_IMODE(output.stat().st_mode) == 0o600, "names and phones: the user's alone"
    if kind == "xlsx":
        rows = list(openpyxl.load_workbook(output)["Cases"].values)
    else:
        rows = list(csv.reader(io.StringIO(output.read_text("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [number(n) for n in ["A5", "A1", "A2", "R1", "A4"]]


async def test_the_command_line_prints_the_figures_of_a_county(
    db: Database, cli_settings: Settings, clock: FakeClock
) -> None:
    await seed_november(db)
    args = cli("stats", "--period", "2026-11-01 2026-11-30", "--county", "anding")
    printed = await run_report_command(args, cli_settings, clock.now())
    assert printed.splitlines()[:3] == [
        "Figures for Anding District, 2026-11-01 to 2026-11-30",
        "Received: 5",
        "Resolved: 3 · rejected: 1",
    ]


async def test_the_command_line_refuses_a_bad_period_or_an_unknown_code(
    db: Database, cli_settings: Settings, clock: FakeClock
) -> None:
    for argv, message in [
        (("stats", "--period", "soon"), "--period: That is not a period."),
        (("stats", "--county", "atlantis"), "--county: unknown county code 'atlantis'"),
        (("stats", "--department", "x.y"), "--department: unknown department code 'x.y'"),
    ]:
        with pytest.raises(ValueError, match=message):
            await run_report_command(cli(*argv), cli_settings, clock.now())
