"""The published figures, checked against numbers worked out by hand from a known month.

The data set is ``tests/support/figures_data.py`` (November 2026, Anding and Tongwei); each
expected number below says which cases make it up.
"""

import dataclasses
from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from bot.scheduler import run_due_work
from handlers import HandlerConfig
from handlers.context import Unit
from handlers.figures import (
    FigureReport,
    Period,
    PeriodError,
    describe_scope,
    figures_lines,
    gather_figures,
    parse_period,
)
from handlers.i18n import translator
from handlers.replies import Upload
from handlers.staff.weekly_report import WEEKLY_REPORT, next_report_at, plan_weekly_report
from storage.case_queries import EVERY_CASE, CaseScope
from storage.db import Database
from storage.figures import Tally, WeekTally, weekly_tallies
from storage.models import DueStatus, DueTask, OutboxMessage, StaffRole
from storage.repositories import ports
from tests.support.chat import Bench
from tests.support.clock import FakeClock
from tests.support.figures_data import SHANGHAI, local, seed_november
from tests.support.people import make_staff

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
YUAN = 100
SUPERVISORS_CHAT = -1001000000002
ANDING_CONSTRUCTION_CHAT = -1001000000101
_ = translator("en")

ALL_NOVEMBER = Tally(
    received=7,  # A1 A2 A3 A4 R1 T1 (1 Nov 00:00:00) T3; not T2 (31 Oct 23:59:59), not D1
    closed_of_received=4,  # A1 A2 T3 resolved, A3 rejected; R1 was reopened
    claimed_fen=420_000 * YUAN,  # 100k + 50k + 8k + 20k + 30k + 200k + 12k
    resolved=4,  # A1 A2 T3, and A5 (resolved 1 Nov 00:00:00); not R1 (reopened)
    rejected=1,  # A3
    handling_days=46.8,  # A1 10.0 + A2 20.5 + A5 11.0 + T3 5.3
    on_time=3,  # A1, A5 (exactly at its deadline), T3; A2 was five days late
    recovered_fen=190_000 * YUAN,  # 100k + 30k + 60k + 0
    workers_helped=19,  # workers paid: 10 + 3 + 6 + 0 (workers owed would be 23)
    overdue_now=2,  # A4 (in progress, deadline passed yesterday), T1 (marked overdue)
    answered=4,  # return visits due in November: A1 (5), A2 (4), A5 (3), R1 (1)
    satisfied=2,  # A1, A2; T5's 5 was due one second before November
    unanswered=1,  # T3
    undeliverable=1,  # T4 (due 1 Nov 00:00:00); T5's second visit is still waiting
    agreed_fen=50_000 * YUAN,  # A2's later agreement (30k, not 40k + 30k), A4 20k; T1's in Oct
)
ANDING = Tally(
    received=5,  # A1 A2 A3 A4 R1
    closed_of_received=3,  # A1 A2 A3
    claimed_fen=208_000 * YUAN,
    resolved=3,  # A1 A2 A5
    rejected=1,
    handling_days=41.5,
    on_time=2,
    recovered_fen=190_000 * YUAN,
    workers_helped=19,
    overdue_now=1,  # A4
    answered=4,
    satisfied=2,
    agreed_fen=50_000 * YUAN,
)
TONGWEI = Tally(
    received=2,  # T1 T3
    closed_of_received=1,  # T3
    claimed_fen=212_000 * YUAN,
    resolved=1,  # T3
    handling_days=5.3,
    on_time=1,
    overdue_now=1,  # T1
    unanswered=1,
    undeliverable=1,
)
ANDING_CONSTRUCTION = Tally(
    received=4,  # A1 A2 A4 R1; A3 is the transport bureau's
    closed_of_received=2,
    claimed_fen=200_000 * YUAN,
    resolved=3,  # A1 A2 A5
    handling_days=41.5,
    on_time=2,
    recovered_fen=190_000 * YUAN,
    workers_helped=19,
    overdue_now=1,
    answered=4,
    satisfied=2,
    agreed_fen=50_000 * YUAN,
)
NOVEMBER_LINES = [
    "Figures for all counties, 2026-11-01 to 2026-11-30",
    "Received: 7",
    "Resolved: 4 · rejected: 1",
    "Closure rate: 57.1% (4 of 7 received are closed)",
    "Average handling time: 11.7 days",
    "Resolved on time: 75.0% (3 of 4)",
    "Overdue now: 2",
    "Satisfaction: 50.0% (2 of 4 answers)",
    "Return visits unanswered: 1 · undeliverable: 1",
    "Survey response rate: 66.7%",
    "Claimed: 420,000 yuan · agreed: 50,000 yuan · recovered: 190,000 yuan",
    "Workers helped: 19",
    "",
    "By county:",
    "Anding District: received 5, resolved 3, closure 60.0%, average time 13.8 days, overdue 1, "
    "recovered 190,000 yuan",
    "Tongwei County: received 2, resolved 1, closure 50.0%, average time 5.3 days, overdue 1, "
    "recovered 0 yuan",
    "Longxi County: received 0, resolved 0, closure —, average time —, overdue 0, recovered 0 yuan",
]


def rounded(tally: Tally) -> Tally:
    return dataclasses.replace(tally, handling_days=round(tally.handling_days, 6))


async def november(
    db: Database, config: HandlerConfig, clock: FakeClock, *scopes: CaseScope
) -> FigureReport:
    async with db.reader() as session:
        scope = await describe_scope(session, scopes or (EVERY_CASE,))
        return await gather_figures(session, scope, NOVEMBER, config.zone, clock.now())


# --- every figure, by hand ----------------------------------------------------------------------


async def test_every_figure_of_the_month_matches_the_hand_count(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await seed_november(db)
    report = await november(db, config, clock)
    assert rounded(report.total) == ALL_NOVEMBER
    assert {county: rounded(t) for county, t in report.by_county.items()} == {
        "anding": ANDING,
        "tongwei": TONGWEI,
    }


async def test_a_county_or_a_department_counts_only_its_own_cases(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    cases = await seed_november(db)
    county = await november(db, config, clock, CaseScope(county="anding"))
    assert rounded(county.total) == ANDING and county.by_county == {}
    department = CaseScope(department_ids=(cases["A1"].department_id,))
    assert rounded((await november(db, config, clock, department)).total) == ANDING_CONSTRUCTION


async def test_the_figures_read_as_counts_percentages_and_dashes(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await seed_november(db)
    lines = figures_lines(await november(db, config, clock), config.routing, _)
    assert lines[: len(NOVEMBER_LINES)] == NOVEMBER_LINES
    others = lines[len(NOVEMBER_LINES) : -2]  # the four other counties, all dashes
    assert len(others) == 4 and all("closure —, average time —" in line for line in others)
    assert lines[-2:] == ["", "“—”: nothing to measure, as no case in the period counts for it."]


async def test_a_scope_without_cases_shows_dashes_not_an_error(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await seed_november(db)
    lines = figures_lines(
        await november(db, config, clock, CaseScope(county="minxian")), config.routing, _
    )
    assert lines[0] == "Figures for Min County, 2026-11-01 to 2026-11-30"
    assert "Closure rate: — (0 of 0 received are closed)" in lines
    assert "Average handling time: —" in lines
    assert "Satisfaction: — (0 of 0 answers)" in lines
    assert "Survey response rate: —" in lines
    assert lines[-1] == "“—”: nothing to measure, as no case in the period counts for it."


async def test_weeks_run_monday_to_sunday_in_local_time_cut_to_the_period(
    db: Database, config: HandlerConfig
) -> None:
    await seed_november(db)
    assert NOVEMBER.week_starts() == [date(2026, 11, d) for d in (1, 2, 9, 16, 23, 30)]
    async with db.reader() as session:
        weeks = await weekly_tallies(session, (EVERY_CASE,), NOVEMBER.week_bounds(config.zone))
    assert [(w.received, w.resolved, round(w.handling_days, 6)) for w in weeks] == [
        (1, 1, 11.0),  # T1 received, A5 resolved at 1 Nov 00:00:00
        (4, 0, 0.0),  # A1 A2 R1 A3
        (1, 1, 10.0),  # A4; A1 resolved
        (1, 0, 0.0),  # T3
        (0, 2, 25.8),  # A2 (20.5) and T3 (5.3) resolved
        (0, 0, 0.0),
    ]
    assert weeks[-1] == WeekTally()


# --- periods ------------------------------------------------------------------------------------

THURSDAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("week", date(2026, 11, 23), date(2026, 11, 29)),
        ("本周", date(2026, 11, 23), date(2026, 11, 29)),
        ("", date(2026, 11, 1), date(2026, 11, 30)),
        ("Month", date(2026, 11, 1), date(2026, 11, 30)),
        ("本月", date(2026, 11, 1), date(2026, 11, 30)),
        ("year", date(2026, 1, 1), date(2026, 12, 31)),
        ("今年", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-11-01 2026-11-15", date(2026, 11, 1), date(2026, 11, 15)),
        ("2026-11-01~2026-11-15", date(2026, 11, 1), date(2026, 11, 15)),
        ("2026-11-01 至 2026-11-15", date(2026, 11, 1), date(2026, 11, 15)),
        ("２０２６－１－５　２０２６－２－５", date(2026, 1, 5), date(2026, 2, 5)),
        ("2026-11-05", date(2026, 11, 5), date(2026, 11, 5)),
        ("2025-01-01 2025-12-31", date(2025, 1, 1), date(2025, 12, 31)),
        ("2024-01-01 2024-12-31", date(2024, 1, 1), date(2024, 12, 31)),  # 366 days
    ],
)
def test_a_period_is_this_week_month_year_or_a_range_of_days(
    text: str, first: date, last: date
) -> None:
    assert parse_period(text, THURSDAY) == Period(first, last)


def test_february_of_a_leap_year_ends_on_the_29th() -> None:
    assert parse_period("month", date(2028, 2, 10)) == Period(date(2028, 2, 1), date(2028, 2, 29))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("yesterday", "That is not a period."),
        ("2026-02-30", "That date does not exist."),
        ("2026-03-01 2026-01-01", "The first date must not be after the second."),
        ("2025-01-01 2026-01-02", "A period can be at most 366 days long."),
    ],
)
def test_text_that_is_not_a_period_is_refused(text: str, problem: str) -> None:
    with pytest.raises(PeriodError) as raised:
        parse_period(text, THURSDAY)
    assert str(raised.value) == problem


def test_a_period_runs_from_local_midnight_to_the_midnight_after_its_last_day() -> None:
    assert NOVEMBER.bounds(SHANGHAI) == (
        datetime(2026, 10, 31, 16, tzinfo=UTC),
        datetime(2026, 11, 30, 16, tzinfo=UTC),
    )


async def test_this_week_is_the_local_week_even_when_utc_is_still_on_sunday(
    db: Database, config: HandlerConfig
) -> None:
    clock = FakeClock(local(2026, 11, 23, 0, 30).astimezone(UTC))  # Sunday 16:30 in UTC
    await make_staff(db, clock, 601, StaffRole.SUPERVISOR)
    bench = Bench(db, dataclasses.replace(config, default_language="en"), clock)
    await bench.chat(601).send("/stats week")
    assert bench.to(601)[-1].text.startswith(
        "📊 <b>Figures for all counties, 2026-11-23 to 2026-11-29</b>"
    )


# --- who sees what ------------------------------------------------------------------------------

ADMIN = 699


@pytest.fixture
def bench(db: Database, config: HandlerConfig, clock: FakeClock) -> Bench:
    english = dataclasses.replace(config, default_language="en", admin_ids=frozenset({ADMIN}))
    return Bench(db, english, clock)


async def stats(
    bench: Bench, user_id: int, text: str = "/stats month", chat: int | None = None
) -> str:
    person = bench.chat(user_id, chat_id=chat)
    await person.send(text)
    return person.last.text


@pytest.mark.parametrize(
    ("role", "department", "county", "received", "whole_city"),
    [
        (StaffRole.HANDLER, "anding.construction", None, 4, False),
        (StaffRole.LEAD, None, "anding", 5, False),
        (StaffRole.LEAD, None, None, 7, True),  # a city lead
        (StaffRole.SUPERVISOR, None, None, 7, True),
    ],
)
async def test_staff_see_the_figures_of_what_they_may_see(
    bench: Bench,
    db: Database,
    clock: FakeClock,
    role: StaffRole,
    department: str | None,
    county: str | None,
    received: int,
    whole_city: bool,
) -> None:
    await seed_november(db)
    await make_staff(db, clock, 601, role, department=department, county=county)
    text = await stats(bench, 601)
    assert f"\nReceived: {received}\n" in text
    assert ("By county:" in text) is whole_city


async def test_a_handler_sees_their_department_named(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    await seed_november(db)
    await make_staff(db, clock, 601)
    text = await stats(bench, 601)
    assert text.startswith(
        "📊 <b>Figures for Anding District Housing and Urban-Rural Development Bureau, "
        "2026-11-01 to 2026-11-30</b>\nReceived: 4\n"
    )


async def test_an_admin_sees_everything(bench: Bench, db: Database) -> None:
    await seed_november(db)
    text = await stats(bench, ADMIN)
    assert "\nReceived: 7\n" in text and "By county:" in text


async def test_in_a_department_group_a_supervisor_sees_that_department_only(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    await seed_november(db)
    await make_staff(db, clock, 601, StaffRole.SUPERVISOR)
    text = await stats(bench, 601, chat=ANDING_CONSTRUCTION_CHAT)
    assert "\nReceived: 4\n" in text and "By county:" not in text


async def test_a_worker_asking_for_figures_is_refused_politely(bench: Bench, db: Database) -> None:
    await seed_november(db)
    assert await stats(bench, 701) == "This is for department staff only."


async def test_a_period_that_is_not_one_gets_the_usage(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    await make_staff(db, clock, 601, StaffRole.SUPERVISOR)
    assert await stats(bench, 601, "/stats 2026-02-30") == (
        "That date does not exist. Type /stats week, /stats month, /stats year, or two dates "
        "such as /stats 2026-01-01 2026-03-31 (a period of at most 366 days)."
    )


# --- the weekly report --------------------------------------------------------------------------


async def outbox(db: Database) -> list[OutboxMessage]:
    async with db.reader() as session:
        return list(
            (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
        )


async def weekly_tasks(db: Database) -> list[tuple[str, str]]:
    async with db.reader() as session:
        rows = await session.exec(
            select(DueTask).where(DueTask.kind == WEEKLY_REPORT).order_by(col(DueTask.due_at))
        )
        return [(task.subject, task.status) for task in rows]


async def plan(db: Database, config: HandlerConfig, clock: FakeClock) -> None:
    async with db.transaction() as session:
        await plan_weekly_report(Unit(session, config, clock.now(), ports=ports(session)))


def test_the_next_report_is_due_on_the_first_monday_at_nine_after_now() -> None:
    assert next_report_at(local(2026, 11, 26, 10)) == local(2026, 11, 30, 9)
    assert next_report_at(local(2026, 11, 30, 8, 59, 59)) == local(2026, 11, 30, 9)
    assert next_report_at(local(2026, 11, 30, 9)) == local(2026, 12, 7, 9)
    assert next_report_at(local(2026, 11, 29, 23, 59)) == local(2026, 11, 30, 9)


async def test_the_weekly_report_goes_to_the_supervisors_on_monday_at_nine_exactly_once(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    config = dataclasses.replace(config, default_language="en")
    await seed_november(db)
    await plan(db, config, clock)
    await plan(db, config, clock)  # a second instance, or a restart, plans nothing more
    assert await weekly_tasks(db) == [("weekly:2026-W49", DueStatus.PENDING)]

    clock.current = local(2026, 11, 30, 8, 59, 59).astimezone(UTC)
    assert await run_due_work(db, config, clock) == 0
    clock.current = local(2026, 11, 30, 9).astimezone(UTC)
    assert await run_due_work(db, config, clock) == 1
    assert await run_due_work(db, config, clock) == 0
    await plan(db, config, clock)

    text, photo = await outbox(db)
    assert (text.chat_id, text.method, photo.chat_id, photo.method) == (
        SUPERVISORS_CHAT,
        "sendMessage",
        SUPERVISORS_CHAT,
        "sendPhoto",
    )
    assert_last_week(text.payload["text"])
    upload = Upload.from_json(photo.payload["photo"])
    assert upload is not None and upload.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert await weekly_tasks(db) == [
        ("weekly:2026-W49", DueStatus.DONE),
        ("weekly:2026-W50", DueStatus.PENDING),  # the next Monday's, planned by this one
    ]


async def test_a_weekly_report_sent_late_still_covers_the_week_before_its_monday(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    config = dataclasses.replace(config, default_language="en")
    await seed_november(db)
    await plan(db, config, clock)
    clock.current = local(2026, 12, 2, 15).astimezone(UTC)  # the bot was down until Wednesday
    assert await run_due_work(db, config, clock) == 1
    text, _photo = await outbox(db)
    assert_last_week(text.payload["text"])


def assert_last_week(text: str) -> None:
    """23–29 November: A2 and T3 resolved (20.5 and 5.3 days, T3 on time); A2's visit answered
    with a 4, T3's unanswered."""
    lines = text.splitlines()
    assert lines[:2] == [
        "🗓 Weekly report",
        "📊 <b>Figures for all counties, 2026-11-23 to 2026-11-29</b>",
    ]
    for line in [
        "Received: 0",
        "Resolved: 2 · rejected: 0",
        "Closure rate: — (0 of 0 received are closed)",
        "Average handling time: 12.9 days",
        "Resolved on time: 50.0% (1 of 2)",
        "Satisfaction: 100.0% (1 of 1 answers)",
        "Survey response rate: 50.0%",
        "Claimed: 0 yuan · agreed: 0 yuan · recovered: 30,000 yuan",
        "Workers helped: 3",
    ]:
        assert line in lines


async def test_without_a_supervisors_chat_the_report_is_skipped_but_the_next_one_planned(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    routing = dataclasses.replace(config.routing, supervisor_chat_id=None)
    config = dataclasses.replace(config, routing=routing)
    await plan(db, config, clock)
    clock.advance(days=4)
    assert await run_due_work(db, config, clock) == 1
    assert await outbox(db) == []
    assert [status for _s, status in await weekly_tasks(db)] == ["done", "pending"]
