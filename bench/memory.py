"""Resident memory of the bot process with 0 and with 100,000 open conversations and cases.

For each size a fresh database gets that many workers, each with an open case (filed over the
last 30 days with a 15-day deadline, so about half are overdue, with their reminders and
deadline planned) and a second report half written (an open conversation at the phone
question). The real bot is started as a process (``tests/e2e/botprocess.py``) and its RSS
(``VmRSS``) read from /proc:

1. after start-up (migrations, routing, the start-up sweep; today's morning digest is marked
   sent beforehand, so the time of day does not decide whether it runs here);
2. after traffic: 20 new workers file full reports and 50 of the seeded workers answer their
   open report's next question;
3. after a morning digest, which lists every open case overdue or due within 3 days.

Target: growth under 50 MB from 0 to 100,000 (after traffic). ``VmHWM`` is the peak.

    python -m bench.memory --database both
"""

import argparse
import asyncio
import contextlib
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select

from bench.common import (
    add_database_options,
    chosen_databases,
    fresh_database,
    machine,
    print_table,
    process_rss_mb,
    write_results,
)
from handlers.staff.digest import DIGEST
from storage.db import Database
from storage.models import DueStatus, DueTask
from tests.e2e.botprocess import SPEED, BotProcess
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import FakeBotAPI
from tests.support.seed import FIRST_CHAT, bulk_insert, due_row, seed_open_cases

NEW_WORKERS = 20
CONTINUING = 50
SETTLE = 3.0
"""Seconds to let the bot finish what it started before reading its memory."""
ZONE = ZoneInfo("Asia/Shanghai")
"""The bot's default TIME_ZONE, whose date names the day's digest."""


async def file_report(fake: FakeBotAPI, user_id: int) -> None:
    worker = TelegramWorker(fake, user_id)
    await worker.begin_report()
    await worker.answer_up_to_review()
    await worker.tap("Submit report", "Your report was received")


async def continue_report(fake: FakeBotAPI, seeded: int) -> None:
    worker = TelegramWorker(fake, FIRST_CHAT + seeded)
    await worker.say("138 1234 5678", "Choose the county")


async def add_due(db: Database, kind: str, subject: str, status: DueStatus) -> None:
    now = datetime.now(UTC)
    await bulk_insert(db, DueTask, [due_row(kind, subject, now, now) | {"status": status}])


async def wait_until_done(db: Database, subject: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        async with db.reader() as session:
            status = (
                await session.exec(select(DueTask.status).where(DueTask.subject == subject))
            ).one()
        if status != DueStatus.PENDING:
            return
        await asyncio.sleep(0.5)
    raise SystemExit(f"due task {subject} did not run within {limit:.0f} s")


async def measure(kind: str, size: int, driver: str, workdir: Path) -> dict[str, Any]:
    fake = FakeBotAPI(speed=SPEED)
    await fake.start()
    try:
        url = await fresh_database(kind, workdir)
        db = Database(url)
        try:
            if size:
                await seed_open_cases(db, size, datetime.now(UTC))
            today = datetime.now(ZONE).date().isoformat()
            await add_due(db, DIGEST, f"digest:{today}", DueStatus.DONE)
            bot = BotProcess(
                fake, url, workdir, driver=driver, extra_env={"SCHEDULE_SWEEP_SECONDS": "1"}
            )
            await bot.start()
            assert bot.process is not None
            try:
                await asyncio.sleep(SETTLE)
                started = process_rss_mb(bot.process.pid)
                jobs = [file_report(fake, 30_000 + n) for n in range(NEW_WORKERS)]
                jobs += [continue_report(fake, 1 + n) for n in range(min(size, CONTINUING))]
                await asyncio.gather(*jobs)
                await asyncio.sleep(SETTLE)
                traffic = process_rss_mb(bot.process.pid)
                await add_due(db, DIGEST, "digest:bench", DueStatus.PENDING)
                await wait_until_done(db, "digest:bench")
                await asyncio.sleep(SETTLE)
                digest = process_rss_mb(bot.process.pid)
            finally:
                code = await bot.stop()
            if code != 0 or "Traceback" in bot.output():
                raise SystemExit(f"the bot failed ({code}):\n{bot.output()[-3000:]}")
        finally:
            await db.dispose()
    finally:
        with contextlib.suppress(Exception):
            await fake.stop()
    return {
        "database": kind,
        "driver": driver,
        "open_cases": size,
        "open_conversations": size,
        "rss_after_start_mb": started["rss_mb"],
        "rss_after_traffic_mb": traffic["rss_mb"],
        "rss_after_digest_mb": digest["rss_mb"],
        "peak_before_digest_mb": traffic["peak_mb"],
        "peak_mb": digest["peak_mb"],
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_options(parser)
    parser.add_argument("--open", type=int, default=100_000, help="open conversations and cases")
    parser.add_argument("--driver", choices=["aiogram", "ptb"], default="aiogram")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as directory:
        for kind in chosen_databases(args.database):
            for size in (0, args.open):
                print(f"{kind}: {size:,} open conversations and cases …", flush=True)
                runs.append(await measure(kind, size, args.driver, Path(directory)))
    rows = []
    for run in runs:
        empty = next(r for r in runs if r["database"] == run["database"])
        rows.append(
            [
                run["database"],
                run["open_cases"],
                run["rss_after_start_mb"],
                run["rss_after_traffic_mb"],
                run["peak_before_digest_mb"],
                run["rss_after_digest_mb"],
                run["peak_mb"],
                f"{run['rss_after_traffic_mb'] - empty['rss_after_traffic_mb']:+.1f}",
                f"{run['rss_after_digest_mb'] - empty['rss_after_digest_mb']:+.1f}",
                f"{run['peak_mb'] - empty['peak_mb']:+.1f}",
            ]
        )
    print_table(
        f"Bot process memory, MB ({args.driver}; target: growth after traffic < 50 MB)",
        [
            "database",
            "open cases & conversations",
            "after start",
            "after traffic",
            "peak so far",
            "after digest",
            "peak",
            "growth (traffic)",
            "growth (digest)",
            "growth (peak)",
        ],
        rows,
    )
    write_results("memory", {"machine": machine(), "args": vars(args), "runs": runs})


if __name__ == "__main__":
    asyncio.run(main())
