"""Fault storms: Telegram answers 429, 500, 502, drops connections, or is down, for stretches.

While workers report through the real bot process, the fake Bot API is put through storms, one
kind after another, again and again: 429 with retry_after (on messages and on getUpdates),
500 and 502 errors, connections dropped before the request is executed, connections dropped
after it was executed (the response is lost), and a complete outage (502 for everything).

Afterwards: every chat holds exactly the replies its worker's turns called for (0 lost); the
only extra copies are those of requests Telegram executed whose response was lost — the Bot
API has no idempotency key, so the bot cannot know they went out — and there are exactly as
many of them as such requests; and no request arrived inside a retry_after window.
"""

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.routing import Routing
from tests.fake_bot_api import FakeBotAPI
from tests.reliability.checks import cases_by_user, inbox_count, verify_crowd
from tests.reliability.conftest import BotFactory
from tests.reliability.crowd import Crowd
from tests.reliability.figures import Figures
from tests.reliability.ledger import load_ledger, wait_until_settled

pytestmark = pytest.mark.slow

WORKERS = 60
SEED = 4242
MESSAGES = ("sendMessage", "answerCallbackQuery")
OUTAGE_SECONDS = 1.5
QUIET_SECONDS = (0.5, 1.5)
"""Calm between two storms, so the bot makes some headway."""


@pytest.fixture(params=["aiogram", "ptb"])
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


Storm = Callable[[FakeBotAPI, random.Random], Awaitable[None]]


async def rate_limited(fake: FakeBotAPI, rng: random.Random) -> None:
    fake.fail_next(rng.randint(2, 4), 429, "sendMessage", retry_after=rng.choice((1, 2)))


async def polling_rate_limited(fake: FakeBotAPI, rng: random.Random) -> None:
    fake.fail_next(1, 429, "getUpdates", retry_after=1)


async def server_errors(fake: FakeBotAPI, rng: random.Random) -> None:
    fake.fail_next(rng.randint(5, 12), 500, MESSAGES)


async def bad_gateway(fake: FakeBotAPI, rng: random.Random) -> None:
    fake.fail_next(rng.randint(5, 12), 502, MESSAGES)


async def dropped_before_execution(fake: FakeBotAPI, rng: random.Random) -> None:
    fake.drop_next(rng.randint(3, 8), MESSAGES, execute=False)


async def dropped_after_execution(fake: FakeBotAPI, rng: random.Random) -> None:
    fake.drop_next(rng.randint(2, 5), "sendMessage", execute=True)


async def outage(fake: FakeBotAPI, rng: random.Random) -> None:
    fake.set_outage(True)
    try:
        await asyncio.sleep(OUTAGE_SECONDS)  # the outage's length, not a synchronisation
    finally:
        fake.set_outage(False)


STORMS: dict[str, Storm] = {
    "429 on sendMessage": rate_limited,
    "429 on getUpdates": polling_rate_limited,
    "500": server_errors,
    "502": bad_gateway,
    "dropped before execution": dropped_before_execution,
    "dropped after execution": dropped_after_execution,
    "outage (502 for all)": outage,
}


async def weather(fake: FakeBotAPI, rng: random.Random, done: asyncio.Event) -> Counter[str]:
    """One storm after another until the crowd is done; how many of each."""
    storms: Counter[str] = Counter()
    names = list(STORMS)
    for round_number in range(10_000):
        if done.is_set():
            break
        name = names[round_number % len(names)]
        await STORMS[name](fake, rng)
        storms[name] += 1
        try:
            await asyncio.wait_for(done.wait(), rng.uniform(*QUIET_SECONDS))
        except TimeoutError:
            continue
    fake.clear_faults()
    return storms


async def test_fault_storms_lose_nothing_and_never_ignore_retry_after(
    fake: FakeBotAPI,
    one_database_url: str,
    make_bot: BotFactory,
    routing: Routing,
    driver: str,
    figures: Figures,
) -> None:
    url = one_database_url
    figures.title = f"{WORKERS} workers under storms, {driver}, {url.split(':')[0]}"
    rng = random.Random(SEED)
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    crowd = Crowd.reporting(fake, WORKERS, first_user=600_000, today=today, seed=SEED)
    bot = make_bot(url, driver=driver)
    await bot.start()

    done = asyncio.Event()

    async def reporting() -> None:
        try:
            await crowd.run(think=lambda: rng.uniform(0, 0.3))
        finally:
            done.set()

    async with asyncio.TaskGroup() as group:
        group.create_task(reporting())
        storms = group.create_task(weather(fake, rng, done))
    await wait_until_settled(url, fake, timeout=120)
    code, _ = await bot.terminate()

    ledger = await load_ledger(url, fake)
    verdict = verify_crowd(crowd, ledger, await cases_by_user(url), routing)
    totals = ledger.totals()
    stats = fake.stats
    retried = sum(r.attempts - 1 for r in ledger.rows if r.attempts > 1)
    figures.add("workers / chats exactly as expected", f"{WORKERS} / {verdict.workers_exact}")
    figures.add(
        "reports confirmed → cases → alerts",
        f"{verdict.confirmed} → {verdict.cases} → {verdict.alerts}",
    )
    for name, count in storms.result().items():
        figures.add(f"storms: {name}", count)
    figures.add("injected errors answered (429/500/502)", stats.injected_failures)
    figures.add("429 answers (injected and natural)", stats.rate_limited)
    figures.add("connections dropped", stats.dropped)
    figures.add("requests executed, response lost", stats.executed_but_dropped)
    figures.add("outbox retries", retried)
    figures.add("messages delivered", totals["messages delivered"])
    figures.add(
        "lost (missing + undelivered)",
        totals["missing (sent, not in chat)"] + totals["undelivered rows"],
    )
    figures.add(
        "sent twice: re-sends after a lost response",
        totals["re-sends seen in chats (ambiguous, explained)"],
    )
    figures.add("sent twice: anything else", totals["duplicates (unexplained)"])
    figures.add("requests inside a retry_after window", stats.requests_during_retry_after)
    figures.add(
        "updates sent → stored",
        f"{sum(w.turns_done for w in crowd.workers)} → {await inbox_count(url)}",
    )

    verdict.check()
    assert all(storms.result()[name] > 0 for name in STORMS), storms.result()
    assert totals["re-sends seen in chats (ambiguous, explained)"] == stats.executed_but_dropped
    assert stats.requests_during_retry_after == 0
    assert code == 0 and bot.tracebacks() == 0, bot.output()[-3000:]
