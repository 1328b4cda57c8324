"""``arrears-bot`` run as a process, as an operator runs it, from a directory of the test's own."""

import subprocess
import sys
from pathlib import Path

__all__ = ["ROOT", "run"]

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT)} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
