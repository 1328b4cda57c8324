"""A return-visit campaign: N surveys fall due at once, to N distinct chats, at Telegram's limit.

The database gets N workers whose cases were resolved a day ago, each with its return visit
due a minute ago. The real bot is then started as a process (``tests/e2e/botprocess.py``)
against the fake Bot API, which enforces 30 messages/s in all (and answers 429 beyond it):
its start-up sweep asks every survey (one transaction each, writing the question to the
outbox) while the sender delivers the outbox through the driver. ``--prefill`` runs the sweep
first, with the bot stopped, so the sender alone is measured. ``--speed`` multiplies the fake's
limits and the bot's ``DELIVERY_*`` settings together, to test the precision at higher rates.

The achieved rate is taken from the fake's arrival times of the N questions: the messages after
the first full window (the limit allows a burst of 30 at once) divided by the time from the
first to the last; sending exactly at the limit gives 100 %. The bot keeps a 1 % margin and
counts each message from the end of its request (``bot/ratelimit.py``), so about 98 % is the
most it reaches. Target ≥ 95 %, no 429.

``--instances 2`` starts two bot processes (webhook mode, one PostgreSQL) that keep one count
of the limits in Redis (``DELIVERY_REDIS_URL``, from ``$TEST_REDIS_URL`` or the machine's),
each set to the full rate: together they must still stay at the limit, never above it.

    python -m bench.campaign_delivery                  # N = 3,000 at 30 messages/s (~2 min)
    python -m bench.campaign_delivery --speed 10 --prefill
    python -m bench.campaign_delivery --database postgresql --instances 2
"""

import argparse
import asyncio
import contextlib
import os
import secrets
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from bench.common import (
    add_database_options,
    bench_settings,
    chosen_databases,
    fresh_database,
    machine,
    print_table,
    write_results,
)
from bot.app import handler_config
from bot.clock import SystemClock
from bot.routing_file import load_routing
from bot.scheduler import run_due_work
from storage.db import Database
from storage.models import OutboxMessage, Survey
from tests.e2e.botprocess import BotProcess
from tests.fake_bot_api import FakeBotAPI, RecordedRequest
from tests.support.seed import FIRST_CHAT, seed_resolved_cases

TELEGRAM_PER_SECOND = 30
ALL_DAY = "00:00-23:59"
"""Workers may be asked at any hour, so the run does not depend on the time of day."""


async def prefill(url: str) -> float:
    """Ask every due survey with the bot stopped; seconds taken."""
    settings = bench_settings(DATABASE_URL=url, QUIET_HOURS=ALL_DAY)
    config = handler_config(settings, load_routing(settings.cases.routing_file))
    db = Database(url)
    began = time.perf_counter()
    try:
        while await run_due_work(db, config, SystemClock(), limit=500):
            pass
    finally:
        await db.dispose()
    return time.perf_counter() - began


def questions(fake: FakeBotAPI, count: int) -> list[RecordedRequest]:
    return [
        r
        for r in fake.calls("sendMessage")
        if r.ok and FIRST_CHAT < int(r.params.get("chat_id", 0)) <= FIRST_CHAT + count
    ]


def instance_env(instances: int) -> dict[str, str]:
    env = {"QUIET_HOURS": ALL_DAY}
    if instances > 1:
        env["DELIVERY_REDIS_URL"] = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    return env


async def wait_for_questions(
    fake: FakeBotAPI, bots: list[BotProcess], count: int, limit: float
) -> None:
    deadline = time.monotonic() + limit
    while len(questions(fake, count)) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(questions(fake, count))} of {count} sent in {limit:.0f} s")
        for bot in bots:
            if bot.process is not None and bot.process.returncode is not None:
                raise SystemExit(f"the bot exited:\n{bot.output()[-3000:]}")
        await asyncio.sleep(0.2)


def busiest_window(times: list[float], window: float) -> int:
    """The most messages that arrived within any ``window`` seconds."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


async def sweep_span(url: str) -> float:
    """Seconds from the first survey asked to the last (the sweep's pace)."""
    db = Database(url)
    try:
        async with db.reader() as session:
            first, last = (
                await session.exec(select(func.min(Survey.asked_at), func.max(Survey.asked_at)))
            ).one()
            queued = (await session.exec(select(func.count()).select_from(OutboxMessage))).one()
    finally:
        await db.dispose()
    assert isinstance(first, datetime) and isinstance(last, datetime), "no survey was asked"
    assert queued >= 1
    return (last - first).total_seconds()


async def run(kind: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    count, speed = args.surveys, args.speed
    limit = TELEGRAM_PER_SECOND * speed
    bot_id = secrets.randbelow(10**9) + 10**9  # a bot of its own: no count left in Redis
    fake = FakeBotAPI(token=f"{bot_id}:BENCH", bot_user_id=bot_id, speed=speed)
    await fake.start()
    try:
        url = await fresh_database(kind, workdir)
        db = Database(url)
        try:
            await seed_resolved_cases(db, count, datetime.now(UTC))
        finally:
            await db.dispose()
        prefilled = await prefill(url) if args.prefill else None
        bots = [
            BotProcess(
                fake,
                url,
                workdir / f"bot-{number}",
                mode="webhook" if args.instances > 1 else "polling",
                driver=args.driver,
                speed=speed,
                extra_env=instance_env(args.instances),
            )
            for number in range(args.instances)
        ]
        began = time.monotonic()
        try:
            for bot in bots:
                await bot.start()
            await wait_for_questions(fake, bots, count, 120 + 3 * count / limit)
            finished = time.monotonic()
        finally:
            codes = [await bot.stop() for bot in bots]
        for bot, code in zip(bots, codes, strict=True):
            if code != 0 or "Traceback" in bot.output():
                raise SystemExit(f"the bot failed ({code}):\n{bot.output()[-3000:]}")
        sent = questions(fake, count)
        times = sorted(r.time for r in sent)
        span = times[-1] - times[0]
        burst = min(count, TELEGRAM_PER_SECOND)
        achieved = (len(times) - burst) / span if span > 0 else float("nan")
        sweep = prefilled if prefilled is not None else await sweep_span(url)
        return {
            "database": kind,
            "instances": args.instances,
            "driver": args.driver,
            "surveys": count,
            "speed": speed,
            "prefill": args.prefill,
            "limit_per_second": limit,
            "sent": len(sent),
            "distinct_chats": len({r.params["chat_id"] for r in sent}),
            "achieved_per_second": achieved,
            "share_of_limit": achieved / limit,
            "busiest_window": busiest_window(times, 1 / speed),
            "rate_limited_429": fake.stats.rate_limited,
            "requests_during_retry_after": fake.stats.requests_during_retry_after,
            "delivery_seconds": span,
            "duration_seconds": finished - began,
            "sweep_seconds": sweep,
            "sweep_per_second": count / sweep if sweep else float("nan"),
        }
    finally:
        with contextlib.suppress(Exception):
            await fake.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_options(parser)
    parser.add_argument("--surveys", type=int, default=3000, help="N surveys to N chats")
    parser.add_argument("--speed", type=float, default=1.0, help="limits × this (30/s at 1)")
    parser.add_argument("--prefill", action="store_true", help="ask all surveys before sending")
    parser.add_argument("--driver", choices=["aiogram", "ptb"], default="aiogram")
    parser.add_argument(
        "--instances", type=int, default=1, help="bot processes sharing the limits in Redis"
    )
    args = parser.parse_args()
    if args.instances > 1 and args.database != "postgresql":
        parser.error("several instances share PostgreSQL: add --database postgresql")
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-campaign-") as directory:
        for kind in chosen_databases(args.database):
            print(
                f"{kind}, {args.instances} instance(s): {args.surveys:,} surveys at "
                f"{30 * args.speed:g} msg/s …",
                flush=True,
            )
            runs.append(await run(kind, args, Path(directory)))
    print_table(
        "Campaign delivery (target: ≥ 95 % of the limit, no 429)",
        [
            "database",
            "surveys",
            "limit/s",
            "achieved/s",
            "share",
            "busiest window",
            "429s",
            "delivery",
            "duration",
            "sweep/s",
        ],
        [
            [
                r["database"]
                + (f" × {r['instances']} instances" if r["instances"] > 1 else "")
                + (" (prefilled)" if r["prefill"] else ""),
                r["sent"],
                r["limit_per_second"],
                r["achieved_per_second"],
                f"{100 * r['share_of_limit']:.1f} %",
                f"{r['busiest_window']} / {TELEGRAM_PER_SECOND}",
                r["rate_limited_429"],
                f"{r['delivery_seconds']:.1f} s",
                f"{r['duration_seconds']:.1f} s",
                r["sweep_per_second"],
            ]
            for r in runs
        ],
    )
    write_results("campaign_delivery", {"machine": machine(), "args": vars(args), "runs": runs})


if __name__ == "__main__":
    asyncio.run(main())
