"""A worker who blocks the bot is sent nothing until they write again; a department group
that removes the bot has the administrators told once. Through both drivers and the fake Bot
API, whose users can block the bot."""

import asyncio
from typing import Any

import pytest
from sqlmodel import col, select

from storage.db import Database
from storage.models import CaseEvent, LostGroup, OutboxMessage, Worker
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import DEPARTMENT_CHAT
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import BotMessage, FakeBotAPI
from tests.support.clock import FakeClock
from tests.support.people import make_staff
from tests.support.waiting import until

# Every driver and mode takes its own path here: the bot's membership updates
# (my_chat_member) and 403 answers.
pytestmark = pytest.mark.every_door

ADMIN = 9101
OFFICER = 9102
UNREACHABLE = "📵 The worker cannot be reached in chat — phone them."
UNREACHABLE_EVENT = "📵 worker cannot be reached in chat: phone them"


@pytest.fixture
def mode() -> str:
    """Both drivers, in polling mode: reachability is decided after the update is stored."""
    return "polling"


@pytest.fixture
def bot_env() -> dict[str, str]:
    return {
        "BOT_ADMIN_IDS": f"[{ADMIN}]",
        "DEFAULT_LANGUAGE": "en",
        "SCHEDULE_SWEEP_SECONDS": "0.5",
    }


async def read(database_url: str, query: Any) -> list[Any]:
    database = Database(database_url)
    try:
        async with database.reader() as session:
            return list((await session.exec(query)).all())
    finally:
        await database.dispose()


def button(message: BotMessage, fragment: str) -> str:
    return next(text for text, _ in message.buttons() if fragment in text)


async def file_a_case(fake: FakeBotAPI, worker: TelegramWorker) -> BotMessage:
    mark = fake.mark(DEPARTMENT_CHAT)
    await worker.begin_report()
    await worker.answer_up_to_review()
    await worker.tap("Submit report", "Your report was received")
    return await fake.wait_for_text(DEPARTMENT_CHAT, "Case DX-", after=mark)


async def test_a_blocked_worker_gets_nothing_staff_see_it_and_writing_again_reaches_them(
    fake: FakeBotAPI, bot: BotProcess, database_url: str
) -> None:
    database = Database(database_url)
    await make_staff(database, FakeClock(), OFFICER, name="Li")
    await database.dispose()
    officer = fake.user(OFFICER, "Li")
    worker = TelegramWorker(fake, 7301)
    alert = await file_a_case(fake, worker)

    worker.user.block_bot()
    blocked_at = len(fake.requests)
    mark_of_worker = select(Worker.unreachable_since).where(Worker.chat_id == worker.chat_id)

    async def marked() -> bool:
        return await read(database_url, mark_of_worker) != [None]

    await until(marked, 15, what="the worker marked unreachable")

    group = officer.in_chat(DEPARTMENT_CHAT)
    group.press(alert, button(alert, "Accept"))
    taken = await fake.wait_for_message(
        DEPARTMENT_CHAT, lambda m: m.edited and "In progress" in m.text, include_edits=True
    )
    assert UNREACHABLE in taken.text
    mark = fake.mark(OFFICER)
    group.press(taken, button(taken, "Resolve"))
    question = await fake.wait_for_text(OFFICER, "How was case", after=mark)
    mark = fake.mark(OFFICER)
    officer.press(question, button(question, "withdrawn"))
    await fake.wait_for_message(
        DEPARTMENT_CHAT, lambda m: m.edited and "Resolved" in m.text, include_edits=True
    )

    held = select(CaseEvent.kind).where(CaseEvent.kind == "worker_unreachable")
    await until(lambda: _count(database_url, held, 2), 15, what="two notices recorded")
    mark = fake.mark(OFFICER)
    officer.send_text("/case 1")
    timeline = await fake.wait_for_text(OFFICER, "Timeline of", after=mark)
    card = fake.messages(OFFICER)[-2]
    assert UNREACHABLE in card.text
    assert timeline.text.count(UNREACHABLE_EVENT) == 2 and "not sent: «Your case" in timeline.text
    chat = (worker.chat_id, str(worker.chat_id))
    assert [r for r in fake.requests[blocked_at:] if r.params.get("chat_id") in chat] == []
    refused = select(OutboxMessage).where(col(OutboxMessage.status) == "unreachable")
    assert await read(database_url, refused) == []

    worker.user.unblock_bot()
    await worker.say("/start", "Hello!")
    assert await read(database_url, mark_of_worker) == [None]


async def _count(database_url: str, query: Any, wanted: int) -> bool:
    return len(await read(database_url, query)) >= wanted


async def test_a_department_group_that_removed_the_bot_has_the_admins_told_once(
    fake: FakeBotAPI, bot: BotProcess, database_url: str
) -> None:
    remover = 9103
    fake.block_chat(DEPARTMENT_CHAT)
    fake.chat_member_update(remover, chat_id=DEPARTMENT_CHAT, new_status="left")
    first = await fake.wait_for_text(ADMIN, "The bot was removed from", timeout=15)
    assert "Anding District Housing and Urban-Rural Development Bureau" in first.text

    worker = TelegramWorker(fake, 7302)  # its alert fails with 403: no second admin message
    await worker.begin_report()
    await worker.answer_up_to_review()
    await worker.tap("Submit report", "Your report was received")
    alert = select(OutboxMessage).where(
        col(OutboxMessage.chat_id) == DEPARTMENT_CHAT, col(OutboxMessage.status) == "unreachable"
    )
    await until(lambda: _count(database_url, alert, 1), 15, what="the alert refused")
    await asyncio.sleep(2)  # four sweeps: any second alert to the admins would be out
    assert [m.text for m in fake.messages(ADMIN)] == [first.text]

    fake.unblock_chat(DEPARTMENT_CHAT)
    fake.chat_member_update(
        remover, chat_id=DEPARTMENT_CHAT, old_status="left", new_status="member"
    )

    async def cleared() -> bool:
        return await read(database_url, select(LostGroup)) == []

    await until(cleared, 15, what="the flag cleared")
    mark = fake.mark(ADMIN)
    fake.block_chat(DEPARTMENT_CHAT)
    fake.chat_member_update(remover, chat_id=DEPARTMENT_CHAT, new_status="kicked")
    await fake.wait_for_text(ADMIN, "The bot was removed from", timeout=15, after=mark)
