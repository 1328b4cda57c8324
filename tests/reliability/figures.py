"""The figures a reliability test shows: a small table, printed, saved and summarised.

Each test fills a ``Figures`` (``figures.add("cases", 200)``). At the end of the test the table
is printed (seen with ``-s``), written to ``<results>/<test>.txt`` and kept for the terminal
summary, which pytest shows with or without ``-s``. The results folder is
``$RELIABILITY_RESULTS`` or ``<tmp>/arrears-bot-reliability``.
"""

import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Figures", "results_dir"]


def results_dir() -> Path:
    folder = Path(
        os.environ.get("RELIABILITY_RESULTS")
        or Path(tempfile.gettempdir()) / "arrears-bot-reliability"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Figures:
    test: str
    title: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def add(self, name: str, value: object) -> None:
        if isinstance(value, float):
            value = f"{value:.2f}"
        self.rows.append((name, str(value)))

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def render(self, outcome: str = "") -> str:
        width = max((len(name) for name, _ in self.rows), default=0)
        head = f"== {self.test}" + (f" — {self.title}" if self.title else "")
        head += f" [{outcome}]" if outcome else ""
        lines = [head]
        lines += [f"  {name.ljust(width)}  {value}" for name, value in self.rows]
        return "\n".join(lines)

    def save(self, outcome: str) -> Path:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.test).strip("_")
        path = results_dir() / f"{name}.txt"
        path.write_text(self.render(outcome) + "\n", encoding="utf-8")
        return path
