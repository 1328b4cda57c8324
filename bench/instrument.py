"""Measuring the bot from inside its own process, for the benchmarks only.

``bench/hooks/sitecustomize.py`` calls ``install`` in a bot process started with that folder on
its PYTHONPATH (``instrumented_env``); the bot's code is wrapped, not changed:

- ``BENCH_TIMINGS=FILE``: when each inbox event's transaction committed — the moment
  ``Pipeline._handle_next`` returns after its commit — as ``event_id unix_time`` lines. The
  inbox row has the other end (``received_at``, set as the update is stored) and the start of
  handling (``handled_at``), but no column records the commit. ``FILE.counts`` gets how many
  SQL statements and commits the whole process made.
- ``BENCH_PROFILE=FILE``: pyinstrument over the process, from the first update stored to the
  exit; a text report in FILE and the session next to it (``.pyisession``; render it again
  with ``pyinstrument --load FILE.pyisession --show-all``).

Both are written when the process exits (the bot stops cleanly on SIGTERM).
"""

import atexit
import json
import os
import time
from contextvars import ContextVar
from pathlib import Path
from typing import Any

__all__ = ["HOOKS", "install", "instrumented_env"]

HOOKS = Path(__file__).resolve().parent / "hooks"
_event: ContextVar[int | None] = ContextVar("bench_event", default=None)


def instrumented_env(
    root: Path, *, timings: Path | None = None, profile: Path | None = None
) -> dict[str, str]:
    """Environment for a bot process (``BotProcess(extra_env=…)``) with these measurements."""
    env = {"PYTHONPATH": f"{HOOKS}{os.pathsep}{root}"}
    if timings is not None:
        env["BENCH_TIMINGS"] = str(timings)
    if profile is not None:
        env["BENCH_PROFILE"] = str(profile)
    return env


def install() -> None:
    if path := os.environ.get("BENCH_TIMINGS"):
        _time_commits(Path(path))
    if path := os.environ.get("BENCH_PROFILE"):
        _profile_from_first_update(Path(path))


def _time_commits(path: Path) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    import storage.inbox
    from bot.pipeline import Pipeline

    commits: list[tuple[int, float]] = []
    counts = {"statements": 0, "commits": 0}

    def count(name: str) -> Any:
        def counted(*_args: Any, **_kwargs: Any) -> None:
            counts[name] += 1

        return counted

    event.listen(Engine, "before_cursor_execute", count("statements"))
    event.listen(Engine, "commit", count("commits"))
    finish = storage.inbox.finish
    handle_next = Pipeline._handle_next

    async def noted_finish(*args: Any, **kwargs: Any) -> None:
        _event.set(args[1])  # (session, event_id, status, at, …)
        await finish(*args, **kwargs)

    async def timed_handle_next(self: Pipeline, chat_id: int) -> bool:
        _event.set(None)
        handled = await handle_next(self, chat_id)
        event_id = _event.get()
        if handled and event_id is not None:
            commits.append((event_id, time.time()))
        return handled

    storage.inbox.finish = noted_finish
    Pipeline._handle_next = timed_handle_next  # type: ignore[method-assign]

    def write() -> None:
        path.write_text("".join(f"{event} {at:.6f}\n" for event, at in commits))
        Path(f"{path}.counts").write_text(json.dumps(counts))

    atexit.register(write)


def _profile_from_first_update(path: Path) -> None:
    from pyinstrument import Profiler

    from bot.pipeline import Pipeline

    profiler = Profiler(interval=0.005, async_mode="disabled")
    accept = Pipeline.accept

    async def profiled_accept(self: Pipeline, events: Any) -> None:
        if not profiler.is_running:
            profiler.start()
        await accept(self, events)

    Pipeline.accept = profiled_accept  # type: ignore[method-assign]

    def write() -> None:
        if profiler.is_running:
            session = profiler.stop()
            path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
            session.save(str(path.with_suffix(".pyisession")))

    atexit.register(write)
