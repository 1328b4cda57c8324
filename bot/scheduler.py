"""Due work: the database holds it, ``run_due_work`` does it, APScheduler only tells the time.

Each due task runs in a transaction of its own: claimed (``SKIP LOCKED`` on PostgreSQL, so two
instances never share one), handled, its messages written to the outbox and the task marked
done, then committed. A crash before the commit leaves the task pending, to run once more; after
it, the task is done and its messages are the sender's. So nothing due is skipped or sent twice,
a failing task costs no other task its turn, and SQLite's single writer is never held for long.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import time
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.pipeline import to_row
from bot.settings import ScheduleSettings
from handlers import HandlerConfig
from handlers.context import Unit
from handlers.due_work import build_due_work
from handlers.retention import plan_retention
from handlers.staff.digest import plan_digest
from handlers.staff.weekly_report import plan_weekly_report
from storage import outbox
from storage.db import Database
from storage.db_errors import describe, frames, is_transient
from storage.due import claim_due_tasks, finish_task
from storage.models import DueStatus, DueTask
from storage.repositories import ports

__all__ = ["Scheduler", "digest_trigger", "run_due_work"]

log = logging.getLogger(__name__)
logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)  # ticks are no news

BATCH = 20
"""Tasks per sweep between looks at whether the bot is stopping."""
MISFIRE_GRACE = 3600
"""A tick delayed by a busy event loop still runs if it is at most this many seconds late."""
DUE_WORK = build_due_work()


async def run_due_work(
    db: Database,
    config: HandlerConfig,
    clock: Clock,
    *,
    limit: int = BATCH,
    on_outgoing: Callable[[], None] | None = None,
) -> int:
    """Run due tasks, at most ``limit``; returns how many were taken (done or failed)."""
    taken = 0
    while taken < limit and await run_next(db, config, clock, on_outgoing):
        taken += 1
    return taken


async def run_next(
    db: Database, config: HandlerConfig, clock: Clock, on_outgoing: Callable[[], None] | None
) -> bool:
    """Claim the earliest due task and run it; False when nothing is due."""
    try:
        async with db.transaction() as session:
            now = clock.now()
            claimed = await claim_due_tasks(session, now, 1)
            if not claimed:
                return False
            unit = Unit(session, config, now, ports=ports(session))
            await run_task(unit, claimed[0])
            await outbox.enqueue(session, map(to_row, unit.outgoing), now)
            await finish_task(session, claimed[0], DueStatus.DONE, now)
    except TaskFailed as failure:
        await record_failure(db, clock, failure)
        return True
    if unit.outgoing and on_outgoing is not None:
        on_outgoing()
    return True


async def run_task(unit: Unit, task: DueTask) -> None:
    assert task.id is not None
    handler = DUE_WORK.get(task.kind)
    if handler is None:
        raise TaskFailed(task.id, f"no handler for due task kind {task.kind!r}")
    try:
        await handler(unit, task)
        await unit.session.flush()
    except Exception as error:
        if is_transient(error):
            raise
        raise TaskFailed(task.id, describe(error)) from error


async def record_failure(db: Database, clock: Clock, failure: "TaskFailed") -> None:
    """Set the task aside with its error, unless another instance has since taken it."""
    cause = failure.__cause__ or failure
    log.error("due task %s failed: %s\n%s", failure.task_id, failure.error, frames(cause))
    async with db.transaction() as session:
        task = await session.get(DueTask, failure.task_id, with_for_update=True)
        if task is not None and task.status == DueStatus.PENDING:
            await finish_task(session, task, DueStatus.FAILED, clock.now(), failure.error)


class TaskFailed(Exception):
    def __init__(self, task_id: int, error: str) -> None:
        super().__init__(error)
        self.task_id = task_id
        self.error = error


def digest_trigger(at: time, zone: ZoneInfo) -> CronTrigger:
    """Daily at ``at`` local time (a cron trigger given no zone would use the host's)."""
    return CronTrigger(hour=at.hour, minute=at.minute, second=at.second, timezone=zone)


class Scheduler:
    """APScheduler as a clock: a sweep every ``sweep_seconds``, the digest at ``digest_time``.

    Its jobs only ask for a sweep, which runs in a task of our own, one at a time: APScheduler
    (in-memory, coalescing) holds no work, and its shutdown, which cancels running jobs, cannot
    cut a sweep short. At start, and daily at digest time, the recurring work is planned (today's
    digest, the next weekly report, today's retention sweep; each only if absent) and a sweep
    runs at once, so work that fell due while it was down goes out now.
    """

    def __init__(
        self,
        db: Database,
        config: HandlerConfig,
        clock: Clock,
        settings: ScheduleSettings,
        on_outgoing: Callable[[], None],
    ) -> None:
        self._db = db
        self._config = config
        self._clock = clock
        self._settings = settings
        self._on_outgoing = on_outgoing
        self._clock_jobs = AsyncIOScheduler(
            timezone=config.zone,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE,
            },
        )
        self._sweeping: asyncio.Task[None] | None = None
        self._again = False
        self._plan_wanted = False
        self._stopping = False
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        """Tick until ``stop``; then let the sweep in hand finish its batch."""
        settings, zone = self._settings, self._config.zone
        self._clock_jobs.add_job(self._tick, IntervalTrigger(seconds=settings.sweep_seconds))
        self._clock_jobs.add_job(self._digest_tick, digest_trigger(settings.digest_time, zone))
        self._clock_jobs.start()
        self.request(plan=True)
        try:
            await self._stopped.wait()
        finally:
            # APScheduler's shutdown cancels running jobs and logs it as an error; pause first
            # and let a tick already under way (it only asks for a sweep) return.
            self._clock_jobs.pause()
            await asyncio.sleep(0)
            self._clock_jobs.shutdown(wait=False)
            if self._sweeping is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await self._sweeping

    def stop(self) -> None:
        self._stopping = True
        self._stopped.set()

    def request(self, *, plan: bool = False) -> None:
        """Sweep now (planning the recurring work first): at once if idle, else right after."""
        if self._stopping:
            return
        self._again = True
        self._plan_wanted |= plan
        if self._sweeping is None or self._sweeping.done():
            self._sweeping = asyncio.create_task(self._sweep(), name="due-work")

    async def _tick(self) -> None:
        self.request()

    async def _digest_tick(self) -> None:
        self.request(plan=True)

    async def _sweep(self) -> None:
        while self._again and not self._stopping:
            self._again = False
            try:
                if self._plan_wanted:
                    await self._plan_recurring()
                while not self._stopping and await self._batch() == BATCH:
                    pass
            except Exception as error:
                log.warning("due work stopped (%s); it resumes at the next tick", describe(error))

    async def _plan_recurring(self) -> None:
        async with self._db.transaction() as session:
            unit = Unit(session, self._config, self._clock.now(), ports=ports(session))
            await plan_digest(unit, self._settings.digest_time)
            await plan_weekly_report(unit)
            await plan_retention(unit)
        self._plan_wanted = False

    async def _batch(self) -> int:
        return await run_due_work(
            self._db, self._config, self._clock, limit=BATCH, on_outgoing=self._on_outgoing
        )
