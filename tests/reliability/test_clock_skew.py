"""Two instances whose clocks are 20 s apart (one 10 s ahead, one 10 s behind) share one
PostgreSQL behind a balancer, with one Redis for Telegram's limits, while 60 workers each
send ten commands in a burst.

Each instance judges whether the other's sender is alive by its heartbeat. On the processes'
own clocks the one ahead took the other for dead and resent its in-flight messages (4 of 60
chats got duplicates); on the database's clock nothing is sent twice. The clocks are shifted
by ``clock_shift/sitecustomize.py``, which only the test puts on the bot's PYTHONPATH.
"""

import asyncio
from pathlib import Path

import pytest

from handlers.routing import Routing
from storage.db import Database
from storage.migrate import upgrade
from storage.people import sync_departments
from tests.e2e.botprocess import ROOT
from tests.fake_bot_api import FakeBotAPI
from tests.reliability.balancer import LoadBalancer
from tests.reliability.conftest import BotFactory
from tests.reliability.figures import Figures
from tests.reliability.ledger import load_ledger, wait_until_settled
from tests.reliability.pg_cluster import PgCluster
from tests.support.redis_server import REDIS_URL

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SHIFT = Path(__file__).parent / "clock_shift"
OFFSETS = {"ahead": 10.0, "behind": -10.0}
WORKERS = 60
COMMANDS = 10
FIRST_USER = 610_000


async def prepare(url: str, routing: Routing) -> None:
    await upgrade(url)
    database = Database(url)
    try:
        async with database.transaction() as session:
            await sync_departments(session, routing.departments.values())
    finally:
        await database.dispose()


async def test_two_instances_with_clocks_20_s_apart_send_nothing_twice(
    fake: FakeBotAPI,
    pg_cluster: PgCluster,
    make_bot: BotFactory,
    routing: Routing,
    figures: Figures,
) -> None:
    figures.title = f"2 webhook instances, clocks +10 s / -10 s, {WORKERS} workers × {COMMANDS}"
    url = pg_cluster.url
    await prepare(url, routing)
    balancer = LoadBalancer([])
    await balancer.start()
    bots = []
    for name, offset in OFFSETS.items():
        bot = make_bot(
            url,
            name=name,
            mode="webhook",
            extra_env={
                "PYTHONPATH": f"{SHIFT}:{ROOT}",
                "TEST_CLOCK_OFFSET_SECONDS": str(offset),
                "DELIVERY_REDIS_URL": REDIS_URL,
                "WEBHOOK_URL": f"{balancer.url}/telegram",
            },
        )
        balancer.backends.append(f"http://127.0.0.1:{bot.port}")
        bots.append(bot)
    try:
        for bot in bots:
            await bot.start()
        workers = [fake.user(FIRST_USER + n) for n in range(WORKERS)]
        for _ in range(COMMANDS):
            for worker in workers:
                worker.send_command("help")
            await asyncio.sleep(0.2)
        await wait_until_settled(url, fake, timeout=300)
        codes = [(await bot.terminate())[0] for bot in bots]
    finally:
        await balancer.stop()

    ledger = await load_ledger(url, fake)
    totals = ledger.totals()
    audits = [ledger.audit(chat) for chat in ledger.chats()]
    twice = sum(1 for a in audits if a.resent or a.duplicated)
    figures.add("messages delivered", totals["messages delivered"])
    figures.add("chats with a message sent twice", f"{twice} of {WORKERS}")
    figures.add(
        "claims taken from a live sender (ambiguous)", totals["ambiguous attempts (outbox)"]
    )
    figures.add(
        "missing / undelivered",
        f"{totals['missing (sent, not in chat)']} / {totals['undelivered rows']}",
    )
    assert twice == 0
    assert totals["ambiguous attempts (outbox)"] == 0
    assert totals["missing (sent, not in chat)"] == totals["undelivered rows"] == 0
    assert totals["messages delivered"] >= WORKERS * COMMANDS
    assert codes == [0, 0]
    assert all(bot.tracebacks() == 0 for bot in bots)
