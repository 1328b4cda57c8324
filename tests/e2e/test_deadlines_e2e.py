"""Deadlines through a real driver and the fake Bot API, with time moved by hand.

The bot runs in this process (pipeline, sender and the driver's receiving loop) on a clock
the test can jump forward; the test plays the scheduler by sweeping due work after each jump,
twice at once, as two instances would.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import Runtime, build_runtime, make_driver
from bot.scheduler import run_due_work
from bot.settings import EXAMPLE_ROUTING_FILE, load_settings
from storage.models import Case, OutboxMessage
from tests.e2e.botprocess import SPEED, delivery_env
from tests.e2e.conftest import DEPARTMENT_CHAT
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import FakeBotAPI
from tests.support.clock import FakeClock

ANDING_LEADS = -1001000001900


class JumpingClock:
    """Real time shifted by an offset: the test jumps it days ahead, while the sender's
    retry-after waits still see seconds pass (a frozen clock would never let them end)."""

    def __init__(self, start: datetime) -> None:
        self.jump_to(start)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def jump_to(self, moment: datetime) -> None:
        self._offset = moment - datetime.now(UTC)


@pytest.fixture
def clock() -> JumpingClock:
    return JumpingClock(FakeClock().now())


@pytest.fixture
async def runtime(
    fake: FakeBotAPI,
    database_url: str,
    driver: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clock: JumpingClock,
) -> AsyncIterator[Runtime]:
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "BOT_TOKEN": fake.token,
        "BOT_DRIVER": driver,
        "BOT_API_BASE_URL": fake.api_base,
        "DATABASE_URL": database_url,
        "ROUTING_FILE": str(EXAMPLE_ROUTING_FILE),
        "DEFAULT_LANGUAGE": "en",
        **delivery_env(SPEED),
    }.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    telegram = make_driver(settings)
    runtime = await build_runtime(settings, telegram, clock)
    loops = [
        asyncio.create_task(runtime.pipeline.run()),
        asyncio.create_task(runtime.sender.run()),
        asyncio.create_task(telegram.receive(runtime.pipeline)),
    ]
    yield runtime
    runtime.pipeline.stop()
    runtime.sender.stop()
    loops[2].cancel()
    await asyncio.gather(*loops, return_exceptions=True)
    await telegram.close()
    await runtime.close()


async def file_ordinary_report(worker: TelegramWorker) -> None:
    """Below every hard-case threshold: only the deadline sends it to the leaders."""
    await worker.begin_report()
    for text, expect in [
        ("Wang Wu", "phone number"),
        ("13812345678", "Choose the county"),
    ]:
        await worker.say(text, expect)
    await worker.tap("Anding", "What kind of work")
    await worker.tap("Construction", "Who owes you")
    for text, expect in [
        ("Boss Zhang", "project"),
        ("Road works", "Where is the site"),
        ("Xijiang village", "How much"),
        ("50000", "How many workers"),
    ]:
        await worker.say(text, expect)
    await worker.tap("Just me", "Since when")
    await worker.say("2026-06", "In a few sentences")
    await worker.say("Not paid since June.", "evidence")
    await worker.tap("Skip", "Please check your report")
    await worker.tap("Submit report", "Your report was received")


async def sweep_twice_at_once(runtime: Runtime, clock: JumpingClock) -> None:
    wake = runtime.sender.wake
    await asyncio.gather(
        *(run_due_work(runtime.db, runtime.config, clock, on_outgoing=wake) for _ in range(2))
    )


async def delivered(runtime: Runtime) -> None:
    """Nothing pending or in flight, so moving the clock cannot age a claim in progress."""
    async with asyncio.timeout(15):
        while True:
            async with runtime.db.reader() as session:
                rows = (await session.exec(select(OutboxMessage.status))).all()
            if not {"pending", "sending"} & set(rows):
                return
            await asyncio.sleep(0.05)


def texts(fake: FakeBotAPI, chat_id: int, fragment: str) -> list[str]:
    return [m.text for m in fake.messages(chat_id) if fragment in m.text]


async def test_reminders_and_escalation_reach_their_chats_once_each_as_the_deadline_passes(
    fake: FakeBotAPI, runtime: Runtime, clock: JumpingClock
) -> None:
    worker = TelegramWorker(fake, 7101)
    await file_ordinary_report(worker)
    alert = await fake.wait_for_text(DEPARTMENT_CHAT, "Boss Zhang")
    async with runtime.db.reader() as session:
        case = (await session.exec(select(Case))).one()
    assert case.number in alert.text and "🦴" not in alert.text

    for before, expect in [
        (timedelta(days=3), "due in 3 days"),
        (timedelta(days=1), "due tomorrow"),
    ]:
        await delivered(runtime)
        clock.jump_to(case.deadline_at - before)
        await sweep_twice_at_once(runtime, clock)
        reminder = await fake.wait_for_text(DEPARTMENT_CHAT, expect)
        assert case.number in reminder.text and "2026-12-11" in reminder.text

    await delivered(runtime)
    clock.jump_to(case.deadline_at)
    await sweep_twice_at_once(runtime, clock)
    escalation = await fake.wait_for_text(ANDING_LEADS, "Escalated")
    assert case.number in escalation.text and "Overdue" in escalation.text
    await fake.wait_for_text(worker.chat_id, "has now gone to the county leaders")
    await fake.wait_for_text(DEPARTMENT_CHAT, "Overdue", include_edits=True)

    clock.jump_to(case.deadline_at + timedelta(days=1))
    await sweep_twice_at_once(runtime, clock)
    await delivered(runtime)
    assert len(texts(fake, DEPARTMENT_CHAT, "due in 3 days")) == 1
    assert len(texts(fake, DEPARTMENT_CHAT, "due tomorrow")) == 1
    assert len(texts(fake, DEPARTMENT_CHAT, "passed its deadline")) == 1
    assert len(texts(fake, ANDING_LEADS, "Escalated")) == 1
    assert len(texts(fake, worker.chat_id, "has now gone to the county leaders")) == 1
    assert "Overdue" in fake.messages(DEPARTMENT_CHAT)[0].text  # the alert, edited
