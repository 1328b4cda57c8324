"""Pipeline throughput: 200 simulated workers at once, each filing a full report.

The bot runs as its own process (``tests/e2e/botprocess.py``), unchanged but instrumented from
inside (``bench/instrument.py``), against the fake Bot API in this process, where 200
``TelegramWorker``s each go through a whole report: /start, language, 16 answers with typos
and corrections, submit — 20 updates, each sent only once the bot's answer to the previous one
has arrived (a closed loop, like real people, so the rate is what the bot sustains). Telegram's
rate limits are scaled out of the way — the fake's ×1,000, the bot's ``DELIVERY_*`` ×100 (a
bot sending at the fake's exact limit would meet 429s from a millisecond of jitter, and each
429 pauses all sending for a whole second) — so that they do not decide the result; everything
else is as in production.

Figures: updates handled per second (all updates ÷ wall time of the 200 reports); the time
from storing an update in the inbox (``received_at``) to the commit of its transaction (timed
in the bot's process), split into the wait in the inbox (to ``handled_at``, when handling
starts) and the handling itself; and the same 200 workers × 20 round trips against a bare
aiogram echo bot (``bench/echo_bot.py``) on a fresh fake with the same settings, before and
after, for the ratio ours / echo (target ≥ 0.7). With 200 people waiting and a saturated bot,
the inbox wait is the queue (Little's law: ≈ 200 ÷ rate), not the cost of one update.

    python -m bench.pipeline_throughput                          # aiogram, SQLite
    python -m bench.pipeline_throughput --driver both --database both
"""

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import select

from bench.common import (
    RESULTS,
    ROOT,
    add_database_options,
    chosen_databases,
    fresh_database,
    machine,
    percentile,
    print_table,
    process_cpu_seconds,
    write_results,
)
from bench.instrument import instrumented_env
from storage.db import Database
from storage.models import InboxEvent, InboxStatus
from tests.e2e.botprocess import BotProcess
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import FakeBotAPI

FAKE_SPEED = 1000.0
"""The fake allows 30,000 messages/s in all, 1,000/s per private chat, 20,000/min per group."""
BOT_SPEED = 100.0
"""The bot keeps to a tenth of that: jitter of a few ms cannot make it exceed the fake's."""
OUR_USERS = 10_000
ECHO_USERS = 20_000
UPDATES_PER_REPORT = 20
ANSWER_TIMEOUT = 120.0
"""Seconds a simulated worker waits for each answer: with every worker waiting on a saturated
bot, an answer takes about workers ÷ rate seconds, longer than a test's patience."""


async def full_report(fake: FakeBotAPI, user_id: int) -> None:
    worker = TelegramWorker(fake, user_id, timeout=ANSWER_TIMEOUT)
    await worker.begin_report()
    await worker.answer_up_to_review()
    await worker.tap("Submit report", "Your report was received")


async def echo_round_trips(fake: FakeBotAPI, user_id: int, count: int) -> None:
    worker = TelegramWorker(fake, user_id, timeout=ANSWER_TIMEOUT)
    for n in range(count):
        text = f"echo {user_id} {n}"
        await worker.say(text, text)


async def timed_workers(jobs: list[Any]) -> tuple[float, int]:
    """Run the workers at once; wall seconds and how many failed (timed out)."""
    began = time.perf_counter()
    outcomes = await asyncio.gather(*jobs, return_exceptions=True)
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    if failed:
        print(f"  {len(failed)} workers failed, e.g.: {str(failed[0])[:500]}", file=sys.stderr)
    return time.perf_counter() - began, len(failed)


def bot_api_calls(fake: FakeBotAPI) -> int:
    """Calls that deliver something (messages, edits, answers), not getUpdates and set-up."""
    return sum(r.method.startswith(("send", "edit", "answer", "delete")) for r in fake.requests)


def read_counts(commits_file: Path) -> dict[str, int]:
    counts: dict[str, int] = json.loads(Path(f"{commits_file}.counts").read_text())
    return counts


def read_commits(path: Path) -> dict[int, float]:
    commits = {}
    for line in path.read_text().splitlines():
        event, at = line.split()
        commits[int(event)] = float(at)
    return commits


async def inbox_times(url: str) -> list[tuple[int, datetime, datetime]]:
    db = Database(url)
    try:
        async with db.reader() as session:
            statement = select(InboxEvent.id, InboxEvent.received_at, InboxEvent.handled_at).where(
                InboxEvent.status == InboxStatus.DONE
            )
            rows = (await session.exec(statement)).all()
    finally:
        await db.dispose()
    return [(i, r, h) for i, r, h in rows if i is not None and h is not None]


def spread(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": 1000 * percentile(values, 50),
        "p99_ms": 1000 * percentile(values, 99),
        "mean_ms": 1000 * statistics.fmean(values) if values else float("nan"),
    }


async def our_run(
    kind: str, driver: str, workers: int, workdir: Path, profile: bool
) -> dict[str, Any]:
    fake = FakeBotAPI(speed=FAKE_SPEED)
    await fake.start()
    try:
        url = await fresh_database(kind, workdir)
        commits_file = workdir / f"commits-{driver}-{kind}.txt"
        commits_file.unlink(missing_ok=True)
        profile_file = RESULTS / f"profile-{driver}-{kind}.txt" if profile else None
        if profile_file is not None:
            RESULTS.mkdir(parents=True, exist_ok=True)
        env = instrumented_env(ROOT, timings=commits_file, profile=profile_file)
        env["DEFAULT_LANGUAGE"] = "en"
        bot = BotProcess(fake, url, workdir, driver=driver, speed=BOT_SPEED, extra_env=env)
        await bot.start()
        assert bot.process is not None
        pid = bot.process.pid
        bot_cpu, harness_cpu = process_cpu_seconds(pid), time.process_time()
        jobs = [full_report(fake, OUR_USERS + n) for n in range(workers)]
        wall, failed = await timed_workers(jobs)
        bot_cpu = process_cpu_seconds(pid) - bot_cpu
        harness_cpu = time.process_time() - harness_cpu
        code = await bot.stop()
        if code != 0 or "Traceback" in bot.output():
            raise SystemExit(f"the bot failed ({code}):\n{bot.output()[-3000:]}")
        commits = read_commits(commits_file)
        counts = read_counts(commits_file)
        rows = await inbox_times(url)
    finally:
        with contextlib.suppress(Exception):
            await fake.stop()
    total, wait, handling = [], [], []
    for event, received, handled in rows:
        if event in commits:
            total.append(commits[event] - received.timestamp())
            wait.append((handled - received).total_seconds())
            handling.append(commits[event] - handled.timestamp())
    updates = len(rows)
    return {
        "bot": f"arrears-bot ({driver})",
        "driver": driver,
        "database": kind,
        "workers": workers,
        "failed_workers": failed,
        "updates": updates,
        "wall_seconds": wall,
        "updates_per_second": updates / wall,
        "bot_cpu_share": bot_cpu / wall,
        "bot_cpu_ms_per_update": 1000 * bot_cpu / updates if updates else float("nan"),
        "harness_cpu_share": harness_cpu / wall,
        "calls_per_update": bot_api_calls(fake) / updates,
        "statements_per_update": counts["statements"] / updates,
        "commits_per_update": counts["commits"] / updates,
        "inbox_to_commit": spread(total),
        "inbox_wait": spread(wait),
        "handling": spread(handling),
        "rate_limited_429": fake.stats.rate_limited,
        "profiled": profile,
    }


async def start_echo_bot(fake: FakeBotAPI, log: Path) -> asyncio.subprocess.Process:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": fake.token,
        "BOT_API_BASE_URL": fake.api_base,
    }
    seen = len(fake.calls("getUpdates"))
    with log.open("a") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.echo_bot", cwd=ROOT, env=env, stdout=output, stderr=output
        )
    async with asyncio.timeout(30):
        while len(fake.calls("getUpdates")) <= seen:
            if process.returncode is not None:
                raise SystemExit(f"the echo bot exited ({process.returncode}); see {log}")
            await asyncio.sleep(0.05)
    return process


async def echo_run(workers: int, workdir: Path, label: str) -> dict[str, Any]:
    fake = FakeBotAPI(speed=FAKE_SPEED)
    await fake.start()
    try:
        process = await start_echo_bot(fake, workdir / "echo.log")
        bot_cpu, harness_cpu = process_cpu_seconds(process.pid), time.process_time()
        jobs = [echo_round_trips(fake, ECHO_USERS + n, UPDATES_PER_REPORT) for n in range(workers)]
        wall, failed = await timed_workers(jobs)
        bot_cpu = process_cpu_seconds(process.pid) - bot_cpu
        harness_cpu = time.process_time() - harness_cpu
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            await process.wait()
    finally:
        with contextlib.suppress(Exception):
            await fake.stop()
    updates = workers * UPDATES_PER_REPORT
    return {
        "bot": f"aiogram echo ({label})",
        "workers": workers,
        "failed_workers": failed,
        "updates": updates,
        "wall_seconds": wall,
        "updates_per_second": updates / wall,
        "bot_cpu_share": bot_cpu / wall,
        "bot_cpu_ms_per_update": 1000 * bot_cpu / updates,
        "harness_cpu_share": harness_cpu / wall,
        "calls_per_update": bot_api_calls(fake) / updates,
    }


def report(ours: list[dict[str, Any]], echoes: list[dict[str, Any]], workers: int) -> None:
    echo = statistics.fmean(e["updates_per_second"] for e in echoes)
    rows = []
    for run in [*echoes[:1], *ours, *echoes[1:]]:
        ratio = run["updates_per_second"] / echo if "driver" in run else None
        rows.append(
            [
                run["bot"],
                run.get("database", "—"),
                run["updates"],
                f"{run['wall_seconds']:.1f} s",
                run["updates_per_second"],
                "—" if ratio is None else f"{ratio:.2f}",
                f"{run['calls_per_update']:.2f}",
                run["bot_cpu_ms_per_update"],
                f"{100 * run['bot_cpu_share']:.0f} %",
                f"{100 * run['harness_cpu_share']:.0f} %",
                run["failed_workers"],
            ]
        )
    print_table(
        f"Pipeline throughput: {workers} workers at once, fake's limits ×{FAKE_SPEED:g}, "
        f"bot's ×{BOT_SPEED:g} "
        f"(target ours/echo ≥ 0.7; echo = mean of the echo runs, {echo:.1f} updates/s)",
        [
            "bot",
            "database",
            "updates",
            "wall",
            "updates/s",
            "ours/echo",
            "API calls/update",
            "bot CPU ms/update",
            "bot CPU",
            "harness CPU",
            "failed",
        ],
        rows,
    )
    print_table(
        "Inbox → outbox commit, ms (target p99 < 50 ms): total = inbox wait + handling",
        [
            "bot",
            "database",
            "total p50",
            "total p99",
            "wait p50",
            "wait p99",
            "handling p50",
            "handling p99",
            "SQL/update",
            "commits/update",
        ],
        [
            [
                run["bot"],
                run["database"],
                run["inbox_to_commit"]["p50_ms"],
                run["inbox_to_commit"]["p99_ms"],
                run["inbox_wait"]["p50_ms"],
                run["inbox_wait"]["p99_ms"],
                run["handling"]["p50_ms"],
                run["handling"]["p99_ms"],
                f"{run['statements_per_update']:.1f}",
                f"{run['commits_per_update']:.1f}",
            ]
            for run in ours
        ],
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_options(parser)
    parser.add_argument("--driver", choices=["aiogram", "ptb", "both"], default="aiogram")
    parser.add_argument("--workers", type=int, default=200)
    parser.add_argument(
        "--profile", action="store_true", help="pyinstrument in the bot (slows it down)"
    )
    args = parser.parse_args()
    drivers = ["aiogram", "ptb"] if args.driver == "both" else [args.driver]
    ours, echoes = [], []
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as directory:
        workdir = Path(directory)
        print("aiogram echo bot …", flush=True)
        echoes.append(await echo_run(args.workers, workdir, "before"))
        for driver in drivers:
            for kind in chosen_databases(args.database):
                print(f"arrears-bot, {driver}, {kind} …", flush=True)
                ours.append(await our_run(kind, driver, args.workers, workdir, args.profile))
        print("aiogram echo bot …", flush=True)
        echoes.append(await echo_run(args.workers, workdir, "after"))
    report(ours, echoes, args.workers)
    if args.profile:
        print(f"\nprofiles: {RESULTS.relative_to(ROOT)}/profile-*.txt (and .pyisession)")
    write_results(
        "pipeline_throughput",
        {
            "machine": machine(),
            "args": vars(args),
            "fake_speed": FAKE_SPEED,
            "bot_speed": BOT_SPEED,
            "ours": ours,
            "echo": echoes,
        },
    )


if __name__ == "__main__":
    asyncio.run(main())
