"""Database outage: the bot's PostgreSQL server is stopped and started again under load.

The test runs a PostgreSQL cluster of its own (never the shared server) and stops it twice
while workers report — once cleanly (``fast``: connections cut) and once as in a crash
(``immediate``) — and starts it again a few seconds later. While it is down the bot must not
confirm any update it could not store: in polling mode the getUpdates offset does not move past
them, in webhook mode the bot answers 5xx so Telegram retries. It must tell workers nothing false
(every chat ends up exactly as the worker's turns call for: no apology, no lost answer), recover
by itself when the database returns, and lose nothing. Over the whole run, every update the
bot confirmed was in its inbox before the confirmation; and no worker's phone number reaches the
log, not even in the database errors of the outage.
"""

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from handlers.routing import Routing
from storage.db import Database
from storage.models import InboxEvent
from tests.fake_bot_api import FakeBotAPI
from tests.reliability.checks import cases_by_user, inbox_count, verify_crowd
from tests.reliability.conftest import BotFactory
from tests.reliability.crowd import Crowd, CrowdWorker
from tests.reliability.figures import Figures
from tests.reliability.ledger import load_ledger, wait_until_settled
from tests.reliability.pg_cluster import PgCluster
from tests.support.waiting import until

pytestmark = pytest.mark.slow

WORKERS = 40
VISITORS = 4
"""Newcomers per outage who write /start while the database is down."""
SEED = 777
DOWN_SECONDS = 4.0
OUTAGES = ((0.3, "fast"), (0.65, "immediate"))
"""(share of the crowd's turns done, pg_ctl stop mode) of each outage."""
CLOCK_SLACK = 0.25
"""Seconds allowed between the fake's and the bot's view of "now" (same machine, two clocks)."""


@pytest.fixture(params=["polling", "webhook"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class Outage:
    stop_mode: str
    down_at: float = 0.0
    up_at: float = 0.0
    sent_while_down: list[int] = field(default_factory=list)
    confirmed_while_down: list[int] = field(default_factory=list)
    refused_5xx: int = 0
    recovered_after: float = 0.0


async def stored_ids(url: str) -> dict[int, datetime]:
    database = Database(url)
    try:
        async with database.reader() as session:
            rows = (await session.exec(select(InboxEvent.update_id, InboxEvent.received_at))).all()
    finally:
        await database.dispose()
    return dict(rows)


def confirmed_while_down(fake: FakeBotAPI, outage: Outage, mode: str) -> list[int]:
    """Updates sent while the database was down that Telegram was told were received."""
    during = set(outage.sent_while_down)
    if mode == "polling":
        pending = {int(u["update_id"]) for u in fake.pending_updates}
        return sorted(during - pending)
    return sorted(
        a.update_id
        for a in fake.webhook_attempts
        if a.update_id in during and a.status is not None and 200 <= a.status < 300
    )


async def take_down(
    cluster: PgCluster,
    fake: FakeBotAPI,
    crowds: list[Crowd],
    visitors: list[CrowdWorker],
    url: str,
    outage: Outage,
    mode: str,
) -> None:
    """Stop the server; newcomers write meanwhile (the crowd waits for replies); start it."""
    await cluster.stop(outage.stop_mode)
    outage.down_at = time.monotonic()
    async with asyncio.TaskGroup() as group:
        for visitor in visitors:
            group.create_task(visitor.run(lambda: None))
        await asyncio.sleep(DOWN_SECONDS)  # how long the database stays down: the scenario
        outage.sent_while_down = sorted(
            u for crowd in crowds for u in crowd.updates_sent(since=outage.down_at)
        )
        await restore(cluster, fake, url, outage, mode)


async def restore(
    cluster: PgCluster, fake: FakeBotAPI, url: str, outage: Outage, mode: str
) -> None:
    outage.confirmed_while_down = confirmed_while_down(fake, outage, mode)
    outage.refused_5xx = sum(
        1
        for a in fake.webhook_attempts
        if a.time >= outage.down_at and a.status is not None and a.status >= 500
    )
    await cluster.start()
    outage.up_at = time.monotonic()
    wanted = set(outage.sent_while_down)

    async def all_stored() -> bool:
        return wanted <= set(await stored_ids(url))

    await until(all_stored, 60, every=0.1, what="the updates sent while down being stored")
    outage.recovered_after = time.monotonic() - outage.up_at


async def outages(
    cluster: PgCluster, fake: FakeBotAPI, crowd: Crowd, visitors: Crowd, url: str, mode: str
) -> list[Outage]:
    done = []
    for number, (share, stop_mode) in enumerate(OUTAGES):
        await crowd.wait_for_turns(int(crowd.planned_turns * share), timeout=300)
        outage = Outage(stop_mode)
        newcomers = visitors.workers[number * VISITORS : (number + 1) * VISITORS]
        await take_down(cluster, fake, [crowd, visitors], newcomers, url, outage, mode)
        done.append(outage)
    return done


def confirmed_before_stored(
    fake: FakeBotAPI, mode: str, stored: dict[int, datetime], sent: list[int]
) -> list[int]:
    """Updates confirmed to Telegram at a moment the inbox did not have them yet."""
    to_wall = time.time() - time.monotonic()
    never = datetime.max.replace(tzinfo=UTC)

    def stored_by(update_id: int, at: float) -> bool:
        moment = datetime.fromtimestamp(at + to_wall + CLOCK_SLACK, UTC)
        return stored.get(update_id, never) <= moment

    early: set[int] = set()
    if mode == "polling":
        for request in fake.calls("getUpdates"):
            offset = int(request.params.get("offset") or 0)
            early.update(u for u in sent if u < offset and not stored_by(u, request.time))
    else:
        for attempt in fake.webhook_attempts:
            ok = attempt.status is not None and 200 <= attempt.status < 300
            if ok and not stored_by(attempt.update_id, attempt.time):
                early.add(attempt.update_id)
    return sorted(early)


def phone_forms(worker: CrowdWorker) -> set[str]:
    typed = next(t.value for t in worker.script if t.question == "phone")
    digits = typed.replace(" ", "")
    return {typed, digits, "+86" + digits}


async def test_a_database_outage_confirms_nothing_unstored_and_recovers_alone(
    fake: FakeBotAPI,
    pg_cluster: PgCluster,
    make_bot: BotFactory,
    routing: Routing,
    mode: str,
    figures: Figures,
) -> None:
    url = pg_cluster.url
    figures.title = f"{WORKERS} workers, PostgreSQL stopped ×{len(OUTAGES)}, aiogram {mode}"
    rng = random.Random(SEED)
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    crowd = Crowd.reporting(
        fake, WORKERS, first_user=700_000, today=today, interrupted=0.2, seed=SEED
    )
    visitors = Crowd.reporting(fake, VISITORS * len(OUTAGES), first_user=710_000, today=today)
    for visitor in visitors.workers:
        visitor.stop_after = 1
    bot = make_bot(url, mode=mode)
    await bot.start()

    async with asyncio.TaskGroup() as group:
        group.create_task(crowd.run(think=lambda: rng.uniform(0, 0.3)))
        down = group.create_task(outages(pg_cluster, fake, crowd, visitors, url, mode))
    await wait_until_settled(url, fake, timeout=120)
    interrupted = [w for w in crowd.workers if w.mid_report]
    await asyncio.gather(*(w.continue_report() for w in interrupted))
    await wait_until_settled(url, fake, timeout=60)
    code, _ = await bot.terminate()

    ledger = await load_ledger(url, fake)
    cases = await cases_by_user(url)
    verdict = verify_crowd(Crowd([*crowd.workers, *visitors.workers]), ledger, cases, routing)
    newcomers = len(verdict.exact & {v.user_id for v in visitors.workers})
    sent = crowd.updates_sent() + visitors.updates_sent()
    early = confirmed_before_stored(fake, mode, await stored_ids(url), sent)
    log = bot.output()
    leaked = sorted(
        {form for worker in crowd.workers for form in phone_forms(worker) if form in log}
    )
    chats = WORKERS + len(visitors.workers)
    figures.add("chats exactly as expected", f"{verdict.workers_exact}/{chats}")
    figures.add(
        "reports confirmed → cases → alerts",
        f"{verdict.confirmed} → {verdict.cases} → {verdict.alerts}",
    )
    figures.add("interrupted workers resumed at their question", len(interrupted))
    figures.add("newcomers who wrote while it was down, answered", newcomers)
    for number, outage in enumerate(down.result(), start=1):
        figures.add(f"outage {number}: stop mode", outage.stop_mode)
        figures.add(f"outage {number}: updates sent while down", len(outage.sent_while_down))
        figures.add(
            f"outage {number}: of them confirmed while down", len(outage.confirmed_while_down)
        )
        if mode == "webhook":
            figures.add(f"outage {number}: webhook calls answered 5xx", outage.refused_5xx)
        figures.add(
            f"outage {number}: recovered (all stored) after s", round(outage.recovered_after, 2)
        )
    figures.add("updates confirmed before stored (whole run)", len(early))
    figures.add("updates sent → stored", f"{len(sent)} → {await inbox_count(url)}")
    for name in ("duplicates (unexplained)", "missing (sent, not in chat)", "undelivered rows"):
        figures.add(name, ledger.totals()[name])
    figures.add("phone numbers in the log", len(leaked))
    figures.add("exit code", code)

    verdict.check()
    for outage in down.result():
        assert outage.sent_while_down, "the workers kept writing while the database was down"
        assert outage.confirmed_while_down == []
        assert mode == "polling" or outage.refused_5xx > 0
    assert early == []
    assert leaked == []
    assert code == 0, log[-3000:]
