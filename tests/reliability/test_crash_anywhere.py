"""Crash anywhere: 200 workers report while the bot is SIGKILLed again and again.

The real bot runs as a process against the fake Bot API. While 200 simulated workers go
through the report (some stop halfway, to come back later), the bot is killed with SIGKILL at
random moments — some while it is still starting — and started again. Afterwards every chat
holds exactly the replies its worker's turns called for, in order (a re-send after an ambiguous
attempt is set apart and counted), every confirmed report is exactly one case with one alert,
and every worker who stopped halfway continues at the question they had reached.
"""

import asyncio
import random
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from handlers.routing import Routing
from tests.fake_bot_api import FakeBotAPI
from tests.reliability.botctl import ReliableBot
from tests.reliability.checks import cases_by_user, inbox_count, verify_crowd
from tests.reliability.conftest import BotFactory
from tests.reliability.crowd import Crowd
from tests.reliability.figures import Figures
from tests.reliability.ledger import load_ledger, wait_until_settled
from tests.support.databases import fresh_database_url, postgres_url

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

WORKERS = 200
KILLS = 12
INTERRUPTED = 0.2
"""Share of workers who stop halfway and come back after the crashes."""
KILL_DURING_START = 0.25
"""Share of restarts that are killed again before the bot is up."""
SEED = 20260601


def setups() -> list[tuple[str, str]]:
    """Each driver once, and each database once: aiogram on PostgreSQL (when configured),
    python-telegram-bot on SQLite. Twice 200 workers is enough load for two cores."""
    return [("aiogram", "postgresql" if postgres_url() else "sqlite"), ("ptb", "sqlite")]


@pytest.fixture(params=setups(), ids=lambda setup: "-".join(setup))
async def setup(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(driver, database URL)."""
    driver, kind = request.param
    return driver, await fresh_database_url(kind, str(tmp_path))


async def chaos(bot: ReliableBot, crowd: Crowd, rng: random.Random, counts: dict[str, int]) -> None:
    """SIGKILL the bot at random points of the crowd's progress, and start it again."""
    planned = crowd.planned_turns
    thresholds = sorted(int(planned * rng.uniform(0.03, 0.9)) for _ in range(KILLS))
    for threshold in thresholds:
        await crowd.wait_for_turns(threshold, timeout=300)
        await asyncio.sleep(rng.uniform(0, 0.4))  # a random moment, not a synchronisation
        await bot.kill()
        counts["killed while serving"] += 1
        await bot.spawn()
        if rng.random() < KILL_DURING_START:
            await asyncio.sleep(rng.uniform(0.1, 2.0))  # somewhere in start-up
            await bot.kill()
            counts["killed while starting"] += 1
            await bot.spawn()
        await bot.wait_ready()


async def test_a_crash_anywhere_loses_nothing_and_doubles_nothing(
    fake: FakeBotAPI,
    setup: tuple[str, str],
    make_bot: BotFactory,
    routing: Routing,
    figures: Figures,
) -> None:
    driver, database_url = setup
    figures.title = f"{WORKERS} workers, SIGKILL ×≥{KILLS}, {driver}, {database_url.split(':')[0]}"
    rng = random.Random(SEED)
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    crowd = Crowd.reporting(
        fake, WORKERS, first_user=500_000, today=today, interrupted=INTERRUPTED, seed=SEED
    )
    bot = make_bot(database_url, driver=driver)
    await bot.start()
    counts = {"killed while serving": 0, "killed while starting": 0}

    async with asyncio.TaskGroup() as group:
        group.create_task(crowd.run(think=lambda: rng.uniform(0, 0.3)))
        group.create_task(chaos(bot, crowd, rng, counts))
    await wait_until_settled(database_url, fake, timeout=120)
    interrupted = [w for w in crowd.workers if w.mid_report]
    await asyncio.gather(*(w.continue_report() for w in interrupted))
    await wait_until_settled(database_url, fake, timeout=60)
    code, _ = await bot.terminate()

    ledger = await load_ledger(database_url, fake)
    verdict = verify_crowd(crowd, ledger, await cases_by_user(database_url), routing)
    turns = sum(w.turns_done for w in crowd.workers)
    stored = await inbox_count(database_url)
    figures.add("workers", WORKERS)
    figures.add(
        "reports confirmed → cases (exactly one each)", f"{verdict.confirmed} → {verdict.cases}"
    )
    figures.add("alerts in department chats (one per case)", verdict.alerts)
    figures.add("workers interrupted mid-report, resumed at their question", len(interrupted))
    figures.add("chats exactly as expected", f"{verdict.workers_exact}/{WORKERS}")
    figures.add("SIGKILLs while serving", counts["killed while serving"])
    figures.add("SIGKILLs while starting", counts["killed while starting"])
    figures.add("updates sent by workers → stored in the inbox", f"{turns} → {stored}")
    for name, value in ledger.totals().items():
        figures.add(name, value)
    figures.add("executed but response lost (fake)", fake.stats.executed_but_dropped)
    figures.add(
        "429 answers / requests inside retry_after",
        f"{fake.stats.rate_limited} / {fake.stats.requests_during_retry_after}",
    )
    figures.add("exit code after the last SIGTERM", code)

    verdict.check()
    assert counts["killed while serving"] >= KILLS
    assert stored == turns, "every update a worker sent is stored exactly once"
    assert code == 0, bot.output()[-3000:]
