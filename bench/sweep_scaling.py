"""The due-work sweep with 1,000 and with 1,000,000 pending rows, only a handful of them due.

Each size gets a fresh database: the pending rows (reminders, deadlines, survey turns spread
over the coming year) go in by bulk insert, plus ``--rounds`` × ``--due`` return visits of
resolved cases, due a minute apart. The clock then stands still and ``run_due_work`` — what
the scheduler's tick calls — is timed: first with nothing due (the common tick), then once per
round with exactly ``--due`` tasks due (each asks its worker: a real survey turn, outbox
message and next turn written). Target: 1M within a factor of 2 of 1k.

    python -m bench.sweep_scaling --database both
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

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
from bot.routing_file import load_routing
from bot.scheduler import run_due_work
from storage.db import Database
from tests.support.clock import FakeClock
from tests.support.seed import seed_future_due_work, seed_resolved_cases

EMPTY_SWEEPS = 30


async def measure(kind: str, size: int, due: int, rounds: int, workdir: Path) -> dict[str, Any]:
    url = await fresh_database(kind, workdir)
    settings = bench_settings(DATABASE_URL=url)
    config = handler_config(settings, load_routing(settings.cases.routing_file))
    clock = FakeClock()  # 10:00 in Dingxi, inside the hours workers may be asked
    start = clock.now()
    db = Database(url)
    try:
        loading = time.perf_counter()
        await seed_future_due_work(db, size, start)
        for n in range(rounds):
            at = start + timedelta(minutes=n + 1)
            await seed_resolved_cases(db, due, start, due_at=at, first_id=1 + n * due)
        if kind == "postgresql":
            async with db.engine.begin() as connection:
                await connection.execute(text("ANALYZE"))
        loaded = time.perf_counter() - loading
        empty = []
        for _ in range(EMPTY_SWEEPS):
            began = time.perf_counter()
            taken = await run_due_work(db, config, clock)
            empty.append(time.perf_counter() - began)
            assert taken == 0
        busy = []
        for n in range(rounds):
            clock.current = start + timedelta(minutes=n + 1, seconds=1)
            began = time.perf_counter()
            taken = await run_due_work(db, config, clock, limit=due)
            busy.append(time.perf_counter() - began)
            assert taken == due, f"{taken} of {due} tasks ran"
    finally:
        await db.dispose()
    return {
        "database": kind,
        "pending_rows": size + rounds * due,
        "load_seconds": loaded,
        "empty_sweep_ms_median": 1000 * statistics.median(empty),
        "empty_sweep_ms_min": 1000 * min(empty),
        "due_sweep_ms_median": 1000 * statistics.median(busy),
        "due_sweep_ms_per_task": 1000 * statistics.median(busy) / due,
        "due": due,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_options(parser, default="both")
    parser.add_argument("--sizes", default="1000,1000000", help="pending rows, comma-separated")
    parser.add_argument("--due", type=int, default=10, help="tasks due at each timed sweep")
    parser.add_argument("--rounds", type=int, default=10, help="timed sweeps with tasks due")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as directory:
        for kind in chosen_databases(args.database):
            for size in sizes:
                print(f"{kind}: {size:,} pending rows …", flush=True)
                runs.append(await measure(kind, size, args.due, args.rounds, Path(directory)))
    rows = []
    for run in runs:
        smallest = next(r for r in runs if r["database"] == run["database"])
        rows.append(
            [
                run["database"],
                run["pending_rows"],
                f"{run['load_seconds']:.1f} s",
                run["empty_sweep_ms_median"],
                run["due_sweep_ms_median"],
                run["due_sweep_ms_per_task"],
                f"{run['due_sweep_ms_median'] / smallest['due_sweep_ms_median']:.2f}×",
                f"{run['empty_sweep_ms_median'] / smallest['empty_sweep_ms_median']:.2f}×",
            ]
        )
    print_table(
        f"Due-work sweep (median of {EMPTY_SWEEPS} empty sweeps and {args.rounds} sweeps of "
        f"{args.due} due tasks; target: largest within 2× of smallest)",
        [
            "database",
            "pending rows",
            "bulk load",
            "empty ms",
            f"{args.due} due ms",
            "ms/task",
            "vs smallest (due)",
            "vs smallest (empty)",
        ],
        rows,
    )
    write_results("sweep_scaling", {"machine": machine(), "args": vars(args), "runs": runs})


if __name__ == "__main__":
    asyncio.run(main())
