"""What the benchmarks share: the machine, the databases, a table on stdout, JSON in results/."""

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.routing_file import load_routing
from bot.settings import EXAMPLE_ROUTING_FILE, DatabaseSettings, Settings, load_settings
from storage.db import Database
from storage.migrate import upgrade
from storage.people import sync_departments

__all__ = [
    "RESULTS",
    "ROOT",
    "ROUTING",
    "add_database_options",
    "bench_settings",
    "chosen_databases",
    "fresh_database",
    "machine",
    "percentile",
    "print_table",
    "process_cpu_seconds",
    "process_rss_mb",
    "write_results",
]

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
ROUTING = EXAMPLE_ROUTING_FILE
PG_ENV = "TEST_DATABASE_URL"


def machine() -> dict[str, Any]:
    """Where the figures come from; the load average says whether other work was running."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "postgresql": _postgres_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _postgres_version() -> str | None:
    if shutil.which("psql") is None or not os.environ.get(PG_ENV):
        return None
    url = os.environ[PG_ENV]
    found = subprocess.run(
        ["psql", url, "-Atc", "show server_version"], capture_output=True, text=True, check=False
    )
    return found.stdout.strip() or None


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)
    print(f"\n{title}\n{line}")
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print(line)
    for row in cells:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    print(line)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def write_results(name: str, data: dict[str, Any]) -> Path:
    """``results/<name>-<time>.json``, plus ``<name>.latest.json`` for the README's figures."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    text = json.dumps(data, indent=2, default=str)
    path.write_text(text)
    (RESULTS / f"{name}.latest.json").write_text(text)
    print(f"\nresults: {path.relative_to(ROOT)}")
    return path


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def process_rss_mb(pid: int) -> dict[str, float]:
    """Resident memory now (VmRSS) and at its peak (VmHWM), in MB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return {"rss_mb": fields["VmRSS"], "peak_mb": fields["VmHWM"]}


def add_database_options(parser: argparse.ArgumentParser, default: str = "sqlite") -> None:
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql", "both"],
        default=default,
        help=f"PostgreSQL is taken from ${PG_ENV}, whose public schema is EMPTIED",
    )


def chosen_databases(choice: str) -> list[str]:
    kinds = ["sqlite", "postgresql"] if choice == "both" else [choice]
    if "postgresql" in kinds and not os.environ.get(PG_ENV):
        raise SystemExit(f"set {PG_ENV} to a scratch PostgreSQL database (it is emptied)")
    return kinds


async def fresh_database(kind: str, directory: Path) -> str:
    """An empty, migrated database with the example routing's departments; its URL."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{remove_sqlite_files(directory)}"
    else:
        url = DatabaseSettings(database_url=os.environ[PG_ENV]).database_url
    db = Database(url)
    try:
        if kind == "postgresql":
            async with db.engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await upgrade(url)
        async with db.transaction() as session:
            await sync_departments(session, load_routing(ROUTING).departments.values())
    finally:
        await db.dispose()
    return url


def remove_sqlite_files(directory: Path) -> Path:
    """The benchmark's SQLite file in ``directory``, with any earlier one (and its WAL) gone."""
    for leftover in directory.glob("bench.sqlite3*"):
        leftover.unlink()
    return directory / "bench.sqlite3"


def bench_settings(**overrides: str) -> Settings:
    """The bot's settings as ``load_settings`` reads them, with the example routing."""
    os.environ.update({"ROUTING_FILE": str(ROUTING), **overrides})
    return load_settings()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
