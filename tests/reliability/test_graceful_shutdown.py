"""Graceful shutdown: SIGTERM in the middle of the load, then start again.

While workers report, the bot is sent SIGTERM several times. Each time it must stop taking
updates, finish or safely set aside what it has in hand, and exit with code 0 (without a
traceback); whatever was left (updates in the inbox, messages in the outbox, updates Telegram
still holds) is picked up by the next start. A clean stop settles every request it made, so
nothing is left ambiguous and nothing is sent twice; every chat ends exactly as expected.
"""

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.routing import Routing
from tests.fake_bot_api import FakeBotAPI
from tests.reliability.botctl import ReliableBot
from tests.reliability.checks import cases_by_user, inbox_count, verify_crowd
from tests.reliability.conftest import BotFactory
from tests.reliability.crowd import Crowd
from tests.reliability.figures import Figures
from tests.reliability.ledger import backlog, load_ledger, wait_until_settled

pytestmark = pytest.mark.slow

WORKERS = 60
STOPS = (0.2, 0.45, 0.7)
"""Shares of the crowd's turns done at which the bot gets SIGTERM."""
SEED = 31337


@pytest.fixture(params=["polling", "webhook"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class Stop:
    code: int
    seconds: float
    inbox_left: int
    outbox_left: int
    updates_at_telegram: int


async def stops(
    bot: ReliableBot, crowd: Crowd, fake: FakeBotAPI, url: str, rng: random.Random
) -> list[Stop]:
    done = []
    for share in STOPS:
        await crowd.wait_for_turns(int(crowd.planned_turns * share), timeout=300)
        await asyncio.sleep(rng.uniform(0, 0.3))  # a random moment, not a synchronisation
        code, seconds = await bot.terminate()
        inbox, outbox = await backlog(url)
        done.append(Stop(code, seconds, inbox, outbox, len(fake.pending_updates)))
        await bot.start()
    return done


async def test_sigterm_under_load_exits_cleanly_and_the_next_start_loses_nothing(
    fake: FakeBotAPI,
    one_database_url: str,
    make_bot: BotFactory,
    routing: Routing,
    mode: str,
    figures: Figures,
) -> None:
    url = one_database_url
    figures.title = f"{WORKERS} workers, SIGTERM ×{len(STOPS)}, aiogram {mode}, {url.split(':')[0]}"
    rng = random.Random(SEED)
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    crowd = Crowd.reporting(
        fake, WORKERS, first_user=800_000, today=today, interrupted=0.2, seed=SEED
    )
    bot = make_bot(url, mode=mode)
    await bot.start()

    async with asyncio.TaskGroup() as group:
        group.create_task(crowd.run(think=lambda: rng.uniform(0, 0.3)))
        stopped = group.create_task(stops(bot, crowd, fake, url, rng))
    await wait_until_settled(url, fake, timeout=120)
    interrupted = [w for w in crowd.workers if w.mid_report]
    await asyncio.gather(*(w.continue_report() for w in interrupted))
    await wait_until_settled(url, fake, timeout=60)
    last_code, _ = await bot.terminate()

    ledger = await load_ledger(url, fake)
    verdict = verify_crowd(crowd, ledger, await cases_by_user(url), routing)
    totals = ledger.totals()
    figures.add("chats exactly as expected", f"{verdict.workers_exact}/{WORKERS}")
    figures.add(
        "reports confirmed → cases → alerts",
        f"{verdict.confirmed} → {verdict.cases} → {verdict.alerts}",
    )
    figures.add("interrupted workers resumed at their question", len(interrupted))
    for number, stop in enumerate(stopped.result(), start=1):
        figures.add(
            f"SIGTERM {number}: exit code, seconds to exit", f"{stop.code}, {stop.seconds:.2f}"
        )
        figures.add(
            f"SIGTERM {number}: left for the next start (inbox/outbox/at Telegram)",
            f"{stop.inbox_left}/{stop.outbox_left}/{stop.updates_at_telegram}",
        )
    figures.add(
        "updates sent → stored",
        f"{sum(w.turns_done for w in crowd.workers)} → {await inbox_count(url)}",
    )
    for name in (
        "messages delivered",
        "ambiguous attempts (outbox)",
        "duplicates (unexplained)",
        "missing (sent, not in chat)",
        "undelivered rows",
    ):
        figures.add(name, totals[name])
    figures.add("tracebacks in the log", bot.tracebacks())

    verdict.check()
    assert all(stop.code == 0 for stop in stopped.result()) and last_code == 0
    assert totals["ambiguous attempts (outbox)"] == 0
    assert bot.tracebacks() == 0, bot.output()[-3000:]
