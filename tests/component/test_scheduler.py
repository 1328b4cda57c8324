"""The due-work engine: every due task handled exactly once, whatever fails and however many run."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.scheduler import DUE_WORK, Scheduler, digest_trigger, run_due_work
from bot.settings import ScheduleSettings
from handlers import HandlerConfig, SendMessage
from handlers.context import Unit
from storage.db import Database
from storage.models import DueTask
from tests.support.clock import FakeClock
from tests.support.due_work import CHAT, echo, outbox_texts, plan


async def boom(unit: Unit, task: DueTask) -> None:
    unit.send(SendMessage(CHAT, "never delivered"))
    raise RuntimeError("the handler has a bug")


GATES: dict[str, asyncio.Event] = {}
"""Set by the test that uses ``test_slow``, in its own event loop."""


async def slow(unit: Unit, task: DueTask) -> None:
    GATES["started"].set()
    await GATES["may finish"].wait()
    unit.send(SendMessage(CHAT, "slow but done"))


@pytest.fixture(autouse=True)
def due_work_of_these_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """The due work of these tests, beside the bot's own."""
    for kind, handler in (("test_echo", echo), ("test_boom", boom), ("test_slow", slow)):
        monkeypatch.setitem(DUE_WORK, kind, handler)


class Crash(BaseException):
    """The process dies: nothing after this point runs, the transaction is not committed."""


async def task(db: Database, subject: str) -> DueTask:
    async with db.reader() as session:
        return (await session.exec(select(DueTask).where(DueTask.subject == subject))).one()


async def test_a_task_falls_due_once_and_its_messages_go_to_the_outbox(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await plan(db, clock, "test_echo", "tomorrow", seconds=-60)
    assert await run_due_work(db, config, clock) == 0

    clock.advance(seconds=60)
    assert await run_due_work(db, config, clock) == 1
    assert await run_due_work(db, config, clock) == 0
    assert await outbox_texts(db) == ["tomorrow"]
    done = await task(db, "tomorrow")
    assert (done.status, done.attempts, done.done_at) == ("done", 1, clock.now())


async def test_a_crash_after_claiming_leaves_the_task_to_run_once_after_the_restart(
    db: Database, config: HandlerConfig, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await plan(db, clock, "test_echo", "reminder")

    async def die(*args: object, **kwargs: object) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr("bot.scheduler.finish_task", die)
        with pytest.raises(Crash):
            await run_due_work(db, config, clock)
    assert await outbox_texts(db) == []
    assert (await task(db, "reminder")).status == "pending"

    assert await run_due_work(db, config, clock) == 1  # the restarted bot
    assert await run_due_work(db, config, clock) == 0  # and once more
    assert await outbox_texts(db) == ["reminder"]


async def test_a_failing_task_is_set_aside_with_its_error_and_the_sweep_goes_on(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await plan(db, clock, "test_boom", "buggy", minutes=2)
    await plan(db, clock, "test_echo", "healthy", minutes=1)

    assert await run_due_work(db, config, clock) == 2
    failed = await task(db, "buggy")
    assert failed.status == "failed"
    assert (failed.error or "").startswith("RuntimeError at tests/component/test_scheduler.py:")
    assert (await task(db, "healthy")).status == "done"
    assert await outbox_texts(db) == ["healthy"]
    assert await run_due_work(db, config, clock) == 0


async def test_a_task_nobody_handles_is_set_aside_with_a_clear_error(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await plan(db, clock, "survey_v0", "case:1")

    assert await run_due_work(db, config, clock) == 1
    orphan = await task(db, "case:1")
    assert (orphan.status, orphan.error) == ("failed", "no handler for due task kind 'survey_v0'")


async def test_the_sender_is_woken_when_due_work_leaves_messages(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    wakes: list[None] = []
    await plan(db, clock, "test_echo", "wake up")
    await run_due_work(db, config, clock, on_outgoing=lambda: wakes.append(None))
    assert len(wakes) == 1


# --- the clock ---------------------------------------------------------------------------------


@pytest.fixture
async def scheduler(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> AsyncIterator[Scheduler]:
    scheduler = Scheduler(db, config, clock, ScheduleSettings(sweep_seconds=0.05), lambda: None)
    running = asyncio.create_task(scheduler.run())
    yield scheduler
    scheduler.stop()
    await asyncio.wait_for(running, 10)


async def eventually_done(db: Database, subject: str) -> DueTask:
    """Polls: the scheduler runs in the background and tells no one when it is done."""
    async with asyncio.timeout(5):
        while True:
            async with db.reader() as session:
                statement = select(DueTask).where(DueTask.subject == subject)
                found = (await session.exec(statement)).first()
            if found is not None and found.status != "pending":
                return found
            await asyncio.sleep(0.02)


async def test_at_start_the_scheduler_sends_todays_digest_and_plans_the_weekly_report(
    scheduler: Scheduler, db: Database
) -> None:
    digest = await eventually_done(db, "digest:2026-11-26")  # 09:00 passed; it is 10:00
    assert digest.kind == "digest" and digest.status == "done"
    async with db.reader() as session:
        weekly = (await session.exec(select(DueTask).where(DueTask.kind == "weekly_report"))).one()
    assert (weekly.subject, weekly.status) == ("weekly:2026-W49", "pending")


async def test_the_scheduler_sweeps_on_its_own(
    scheduler: Scheduler, db: Database, clock: FakeClock
) -> None:
    await plan(db, clock, "test_echo", "on time")
    await eventually_done(db, "on time")
    assert await outbox_texts(db) == ["on time"]


async def test_a_digest_tick_plans_the_days_digest_once(
    scheduler: Scheduler, db: Database, clock: FakeClock
) -> None:
    await eventually_done(db, "digest:2026-11-26")
    clock.advance(days=1)
    scheduler.request(plan=True)
    scheduler.request(plan=True)
    await eventually_done(db, "digest:2026-11-27")
    async with db.reader() as session:
        digests = (await session.exec(select(DueTask).where(DueTask.kind == "digest"))).all()
    assert sorted(d.subject for d in digests) == ["digest:2026-11-26", "digest:2026-11-27"]


def test_the_digest_fires_at_its_local_time_whatever_the_hosts_zone() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    trigger = digest_trigger(time(9, 0), shanghai)
    after_ten = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 10:00 in Dingxi
    assert trigger.get_next_fire_time(None, after_ten) == datetime(
        2026, 11, 27, 9, 0, tzinfo=shanghai
    )


async def test_stopping_lets_the_task_in_hand_finish(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    GATES.update({"started": asyncio.Event(), "may finish": asyncio.Event()})
    await plan(db, clock, "test_slow", "in hand")
    scheduler = Scheduler(db, config, clock, ScheduleSettings(), lambda: None)
    running = asyncio.create_task(scheduler.run())
    await asyncio.wait_for(GATES["started"].wait(), 5)

    scheduler.stop()
    await asyncio.sleep(0.1)
    assert not running.done()
    GATES["may finish"].set()
    await asyncio.wait_for(running, 5)

    assert (await task(db, "in hand")).status == "done"
    assert await outbox_texts(db) == ["slow but done"]
