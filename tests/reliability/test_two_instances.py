"""Two instances: two bot processes in webhook mode share one PostgreSQL behind a balancer.

The fake Bot API delivers every update to its one webhook URL; that URL is a small load
balancer (``balancer.py``) handing updates to the two processes in turn, so one chat's updates
are split between them. Both run their own scheduler on the same clock (the machine's). 10,000
return-visit surveys fall due at once — their rows written straight into the database
(``tests/support/seed.py``) as ``handlers/surveys/plan.py`` writes them, due now and inside the
asking hours (the time zone is chosen so that it is midday there) — and workers meanwhile type
whole reports in one go.

Each survey question reaches its worker exactly once, the two schedulers sharing the work
(``SKIP LOCKED``), and each worker's replies arrive in the order of their messages although the
two instances took turns handling them. Both send at Telegram's full rate, counted once for the
two in Redis, and Telegram never has to answer 429. Which instance did what is recorded by
triggers in the test's own database (each instance connects as its own role), not by the bot.
"""

import asyncio
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from sqlmodel import col, func, select

from handlers.routing import Routing
from storage.db import Database
from storage.migrate import upgrade
from storage.models import DueStatus, DueTask
from storage.people import sync_departments
from storage.surveys import SURVEY_TASK
from tests.fake_bot_api import FakeBotAPI
from tests.reliability.balancer import LoadBalancer
from tests.reliability.checks import verify_crowd
from tests.reliability.conftest import BotFactory
from tests.reliability.crowd import Crowd, burst_report
from tests.reliability.figures import Figures
from tests.reliability.ledger import load_ledger, wait_until_settled
from tests.reliability.pg_cluster import PgCluster
from tests.support.redis_server import REDIS_URL
from tests.support.seed import FIRST_CHAT, seed_resolved_cases
from tests.support.waiting import until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SURVEYS = 10_000
TYPISTS = 20
"""Workers who type a whole report without waiting for the replies."""
FIRST_SURVEYED = 1_000
"""Ids of the surveyed workers and their cases; the typists' rows, made before, are below."""
INSTANCES = ("instance_a", "instance_b")
QUESTION = "Have you received the money?"

WHO_DID = """
CREATE TABLE who_did (what text NOT NULL, row_id bigint NOT NULL, by_role text NOT NULL);
CREATE FUNCTION note_who_did() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO who_did VALUES (TG_ARGV[0], NEW.id, current_user);
    RETURN NEW;
END $$;
CREATE TRIGGER due_done AFTER UPDATE ON duetask FOR EACH ROW
    WHEN (NEW.status = 'done' AND OLD.status <> 'done') EXECUTE FUNCTION note_who_did('due');
CREATE TRIGGER outbox_sent AFTER UPDATE ON outboxmessage FOR EACH ROW
    WHEN (NEW.status = 'sent' AND OLD.status <> 'sent') EXECUTE FUNCTION note_who_did('sent');
CREATE TRIGGER inbox_done AFTER UPDATE ON inboxevent FOR EACH ROW
    WHEN (NEW.status = 'done' AND OLD.status <> 'done') EXECUTE FUNCTION note_who_did('handled');
"""


def midday_zone(now: datetime) -> str:
    """A fixed-offset zone in which it is about noon now: well inside the asking hours."""
    offset = 12 - now.hour
    if offset == 0:
        return "Etc/GMT"
    return f"Etc/GMT{-offset:+d}"  # Etc/GMT-8 is eight hours ahead of UTC


async def prepare(cluster: PgCluster, routing: Routing) -> None:
    """Schema, departments, one role per instance, and the triggers that note who did what."""
    await upgrade(cluster.url)
    database = Database(cluster.url)
    try:
        async with database.transaction() as session:
            await sync_departments(session, routing.departments.values())
    finally:
        await database.dispose()
    connection = await asyncpg.connect(cluster.url.replace("postgresql+asyncpg", "postgresql"))
    try:
        for role in INSTANCES:
            await connection.execute(f"CREATE ROLE {role} LOGIN SUPERUSER")
        await connection.execute(WHO_DID)
    finally:
        await connection.close()


async def plan_due_surveys(url: str, count: int, now: datetime) -> None:
    """Resolved cases whose return visit is due now: Survey and DueTask rows, as planned."""
    database = Database(url)
    try:
        await seed_resolved_cases(database, count, now, due_at=now, first_id=FIRST_SURVEYED)
    finally:
        await database.dispose()


async def surveys_done(url: str) -> int:
    database = Database(url)
    try:
        async with database.reader() as session:
            statement = select(func.count()).where(
                col(DueTask.kind) == SURVEY_TASK,
                col(DueTask.status) == DueStatus.DONE,
                col(DueTask.subject).endswith(":0"),
            )
            return int((await session.exec(statement)).one())
    finally:
        await database.dispose()


async def who_did(url: str) -> list[tuple[str, int, str]]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await connection.fetch("SELECT what, row_id, by_role FROM who_did")
    finally:
        await connection.close()
    return [(r["what"], r["row_id"], r["by_role"]) for r in rows]


async def test_two_instances_ask_each_survey_once_and_keep_each_chat_in_order(
    fake: FakeBotAPI,
    pg_cluster: PgCluster,
    make_bot: BotFactory,
    routing: Routing,
    figures: Figures,
) -> None:
    figures.title = f"2 webhook instances, one PostgreSQL, {SURVEYS:,} due surveys"
    url = pg_cluster.url
    now = datetime.now(UTC)
    zone = midday_zone(now)
    await prepare(pg_cluster, routing)
    balancer = LoadBalancer([])
    await balancer.start()
    bots = []
    for role in INSTANCES:
        bot = make_bot(
            pg_cluster.database_url("postgres", role),
            name=role,
            mode="webhook",
            extra_env={
                "DELIVERY_REDIS_URL": REDIS_URL,
                "WEBHOOK_URL": f"{balancer.url}/telegram",
                "TIME_ZONE": zone,
                "SCHEDULE_SWEEP_SECONDS": "1",
            },
        )
        balancer.backends.append(f"http://127.0.0.1:{bot.port}")
        bots.append(bot)
    try:
        for bot in bots:
            await bot.start()
        today = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
        typists = Crowd.reporting(fake, TYPISTS, first_user=900_000, today=today)
        for typist in typists.workers:
            for turn in typist.script[:4]:  # /start, English, Report, I agree: then the rest
                await typist.take(turn)

        began = time.monotonic()
        await plan_due_surveys(url, SURVEYS, datetime.now(UTC))
        planned = time.monotonic() - began
        for number, typist in enumerate(typists.workers):
            typist.send_burst(burst_report(number, today))
        await asyncio.gather(
            *(fake.wait_for_text(t.chat_id, t.expected[-1], timeout=300) for t in typists.workers)
        )

        async def all_asked() -> bool:
            return await surveys_done(url) >= SURVEYS

        await until(all_asked, 600, every=0.5, what="every survey asked")
        asked = time.monotonic() - began
        await wait_until_settled(url, fake, timeout=300)
        delivered = time.monotonic() - began
        codes = [(await bot.terminate())[0] for bot in bots]
    finally:
        await balancer.stop()

    ledger = await load_ledger(url, fake)
    verdict = verify_crowd(typists, ledger, {}, routing)
    questions = [
        len([m for m in fake.messages(chat) if QUESTION in m.content])
        for chat in range(FIRST_CHAT + FIRST_SURVEYED, FIRST_CHAT + FIRST_SURVEYED + SURVEYS)
    ]
    refs = [r for r in ledger.rows if r.text is not None and QUESTION in r.text]
    done = await who_did(url)
    due_by = {role: sum(1 for w, _, by in done if w == "due" and by == role) for role in INSTANCES}
    sent_by = {
        role: sum(1 for w, _, by in done if w == "sent" and by == role) for role in INSTANCES
    }
    due_ids = [row for w, row, _ in done if w == "due"]
    handled_by = {
        role: sum(1 for w, _, by in done if w == "handled" and by == role) for role in INSTANCES
    }
    split = sum(1 for t in typists.workers if len(balancer.chats.get(t.chat_id, set())) == 2)
    totals = ledger.totals()
    figures.add("time zone (local midday)", zone)
    figures.add("surveys planned (rows written)", f"{SURVEYS:,} in {planned:.1f} s")
    figures.add("surveys asked exactly once", f"{questions.count(1):,}")
    figures.add(
        "surveys asked twice or more / never",
        f"{sum(1 for q in questions if q > 1)} / {questions.count(0)}",
    )
    figures.add("outbox rows with a survey question", f"{len(refs):,}")
    for role in INSTANCES:
        figures.add(f"{role}: due tasks run", f"{due_by[role]:,}")
        figures.add(f"{role}: messages sent", f"{sent_by[role]:,}")
        figures.add(f"{role}: updates handled", handled_by[role])
    figures.add("due tasks run twice", len(due_ids) - len(set(due_ids)))
    figures.add("all asked after (s)", round(asked, 1))
    figures.add("all delivered after (s)", round(delivered, 1))
    for backend, count in sorted(balancer.forwarded.items()):
        figures.add(f"updates via balancer to :{backend.rsplit(':', 1)[1]}", count)
    figures.add("typists whose updates went to both instances", f"{split}/{TYPISTS}")
    figures.add(
        "typists' chats in order, exactly as expected", f"{verdict.workers_exact}/{TYPISTS}"
    )
    figures.add(
        "duplicates (unexplained) / missing",
        f"{totals['duplicates (unexplained)']} / {totals['missing (sent, not in chat)']}",
    )
    figures.add(
        "429 answers / requests inside retry_after",
        f"{fake.stats.rate_limited} / {fake.stats.requests_during_retry_after}",
    )
    figures.add("exit codes", codes)

    verdict.check()
    assert questions.count(1) == SURVEYS
    assert len(refs) == SURVEYS
    assert len(due_ids) == len(set(due_ids)) >= SURVEYS
    assert all(due_by[role] > 0 for role in INSTANCES), due_by
    assert split == TYPISTS
    assert codes == [0, 0]
    assert fake.stats.rate_limited == fake.stats.requests_during_retry_after == 0
