"""Reliability fixtures: a fast fake Bot API, a throwaway PostgreSQL cluster, figures tables.

Every reliability test fills a ``figures`` table; the tables are printed, written to the
results folder (see ``tests.reliability.figures``) and repeated in pytest's terminal summary,
so the numbers are visible with or without ``-s``.
"""

import secrets
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fake_bot_api import FakeBotAPI
from tests.reliability.botctl import ReliableBot
from tests.reliability.figures import Figures, results_dir
from tests.reliability.pg_cluster import PgCluster, find_binaries
from tests.support.databases import fresh_database_url, postgres_url

SPEED = 50.0
"""The fake's limits and the bot's delivery settings, scaled up together."""

_TABLES = pytest.StashKey[list[str]]()
_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" or (report.when == "setup" and report.failed):
        item.stash[_REPORT] = report
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    tables = terminalreporter.config.stash.get(_TABLES, [])
    if tables:
        terminalreporter.section("reliability figures")
        for table in tables:
            terminalreporter.write_line(table)
        terminalreporter.write_line(f"(also in {results_dir()})")


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[Figures]:
    table = Figures(request.node.name)
    yield table
    report = request.node.stash.get(_REPORT, None)
    outcome = report.outcome if report is not None else "unknown"
    table.add("duration (s)", round(table.elapsed(), 1))
    table.save(outcome)
    rendered = table.render(outcome)
    print("\n" + rendered)
    request.config.stash.setdefault(_TABLES, []).append(rendered)


@pytest.fixture
async def one_database_url(tmp_path: Path) -> str:
    """PostgreSQL (TEST_DATABASE_URL, emptied) when configured, else a new SQLite file: for
    scenarios whose point is not the database, run once rather than once per kind."""
    return await fresh_database_url("postgresql" if postgres_url() else "sqlite", str(tmp_path))


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    """A bot of its own (a new bot id), so that no count shared in Redis outlives its test."""
    bot_id = secrets.randbelow(10**9) + 10**9
    api = FakeBotAPI(
        token=f"{bot_id}:RELIABILITY", bot_user_id=bot_id, speed=SPEED, webhook_retry_delay=0.05
    )
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def pg_cluster() -> AsyncIterator[PgCluster]:
    """A PostgreSQL server of the test's own, running; stopped and deleted afterwards."""
    binaries = find_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL binaries (initdb, pg_ctl) on this machine")
    cluster = PgCluster(binaries)
    try:
        await cluster.init()
        await cluster.start()
        yield cluster
    finally:
        await cluster.destroy()


BotFactory = Callable[..., ReliableBot]


@pytest.fixture
async def make_bot(fake: FakeBotAPI, tmp_path: Path) -> AsyncIterator[BotFactory]:
    """``make_bot(database_url, name="a", **options)``: a bot process, killed at the end if a
    failing test left it running."""
    made: list[ReliableBot] = []

    def make(database_url: str, name: str = "bot", **options: Any) -> ReliableBot:
        options.setdefault("speed", SPEED)
        bot = ReliableBot(fake, database_url, tmp_path / name, **options)
        made.append(bot)
        return bot

    yield make
    for bot in made:
        if bot.alive:
            await bot.kill()
