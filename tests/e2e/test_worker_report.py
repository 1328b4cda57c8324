"""A worker reports unpaid wages through the real aiogram client and the fake Bot API."""

import asyncio

import aiohttp
import pytest
from sqlalchemy import func
from sqlmodel import select

from storage.db import Database
from storage.models import Case, InboxEvent, OutboxMessage
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import DEPARTMENT_CHAT
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import FakeBotAPI

# Every driver and mode takes its own path here: receiving every kind of message, buttons,
# contacts and locations; polling's offset and the webhook's answer across a kill and a
# redelivery.
pytestmark = pytest.mark.every_door


async def count(database_url: str, what: object) -> int:
    database = Database(database_url)
    try:
        async with database.reader() as session:
            return int((await session.exec(select(func.count()).select_from(what))).one())
    finally:
        await database.dispose()


async def test_worker_completes_a_report_and_the_department_gets_exactly_one_alert(
    fake: FakeBotAPI, bot: BotProcess, database_url: str
) -> None:
    worker = TelegramWorker(fake, 7001)
    await worker.begin_report()
    review = await worker.answer_up_to_review()
    assert "Xijiang Agricultural Co-op" in review.text
    confirmation = await worker.tap("Submit report", "Your report was received")
    assert "DX-2026-000001" in confirmation.text or "DX-" in confirmation.text
    alert = await fake.wait_for_text(DEPARTMENT_CHAT, "DX-")
    assert "138****5678" in alert.text and "Xijiang Agricultural Co-op" in alert.text
    await worker.tap("My cases", "Your cases")
    assert len(fake.messages(DEPARTMENT_CHAT)) == 1
    assert await count(database_url, Case) == 1
    assert fake.stats.requests_during_retry_after == 0


async def test_worker_continues_at_the_same_step_after_the_bot_is_killed(
    fake: FakeBotAPI, bot: BotProcess, database_url: str
) -> None:
    worker = TelegramWorker(fake, 7002)
    await worker.begin_report()
    await worker.say("Wang Wu", "phone number")
    await worker.say("13812345678", "Choose the county")
    await bot.restart()
    await worker.tap("Anding", "What kind of work")
    await bot.restart()
    await worker.tap("Construction", "Who owes you")
    for text, expect in [
        ("Boss Zhang", "project"),
        ("Road works", "Where is the site"),
        ("Longxi", "How much"),
        ("50000", "How many workers"),
        ("3", "Since when"),
        ("2024-01", "In a few sentences"),
        ("Not paid since January.", "evidence"),
    ]:
        await worker.say(text, expect)
    review = await worker.tap("Skip", "Please check your report")
    for kept in ("Wang Wu", "138 1234 5678", "Boss Zhang", "50,000"):
        assert kept in review.text
    await worker.tap("Submit report", "Your report was received")
    await fake.wait_for_text(DEPARTMENT_CHAT, "Boss Zhang")
    assert await count(database_url, Case) == 1


async def test_a_redelivered_confirmation_creates_one_case(
    fake: FakeBotAPI, bot: BotProcess, database_url: str
) -> None:
    worker = TelegramWorker(fake, 7003)
    await worker.begin_report()
    await worker.answer_up_to_review()
    mark = fake.mark(worker.chat_id)
    submit = worker.button_with("Submit report")
    press = worker.user.press(worker.latest_with(submit), submit)
    await fake.wait_for_text(worker.chat_id, "Your report was received", after=mark)
    await fake.wait_until_delivered()
    fake.redeliver(press["update_id"])
    await fake.wait_until_delivered()
    await worker.tap("My cases", "Your cases")
    assert await count(database_url, Case) == 1
    assert len(fake.messages(DEPARTMENT_CHAT)) == 1


async def test_unexpected_input_is_explained_and_nothing_is_lost(
    fake: FakeBotAPI, bot: BotProcess
) -> None:
    worker = TelegramWorker(fake, 7004)
    await worker.begin_report()
    await worker.say("Wang Wu", "phone number")
    mark = fake.mark(worker.chat_id)
    worker.user.send_sticker()
    await fake.wait_for_text(worker.chat_id, "cannot read stickers", after=mark)
    mark = fake.mark(worker.chat_id)
    worker.user.send_voice()
    await fake.wait_for_text(worker.chat_id, "voice messages", after=mark)
    mark = fake.mark(worker.chat_id)
    worker.user.send_photo()
    await fake.wait_for_text(worker.chat_id, "evidence step", after=mark)
    await worker.say("x" * 3000, "not a valid phone number")
    await worker.say("13812345678", "Choose the county")
    await worker.tap("Anding", "What kind of work")
    await worker.tap("Back", "Choose the county")
    await worker.tap("Back", "phone number")
    await worker.say("« Back", "What is your name?")


async def test_bursts_of_429_and_5xx_lose_and_duplicate_nothing(
    fake: FakeBotAPI, bot: BotProcess, database_url: str
) -> None:
    worker = TelegramWorker(fake, 7005)
    await worker.begin_report()
    fake.fail_next(3, status=429, method="sendMessage", retry_after=1)
    await worker.say("Wang Wu", "phone number")
    fake.fail_next(4, status=502, method="sendMessage")
    fake.fail_next(2, status=500, method="sendMessage")
    await worker.say("13812345678", "Choose the county")
    fake.drop_next(1, method="sendMessage")
    await worker.tap("Anding", "What kind of work")
    questions = [m.text for m in fake.messages(worker.chat_id)]
    for expected in ("What is your name?", "phone number", "Choose the county", "kind of work"):
        assert sum(expected in q for q in questions) == 1, questions
    assert fake.stats.requests_during_retry_after == 0
    statuses = await settled_outbox(database_url)
    assert set(statuses) == {"sent"}, statuses


async def settled_outbox(database_url: str) -> list[str]:
    """Outbox statuses once nothing is pending or in flight (answers to presses may lag)."""
    database = Database(database_url)
    try:
        async with asyncio.timeout(15):
            while True:
                async with database.reader() as session:
                    statuses = [r.status for r in (await session.exec(select(OutboxMessage))).all()]
                if not {"pending", "sending"} & set(statuses):
                    return statuses
                await asyncio.sleep(0.1)
    finally:
        await database.dispose()


@pytest.mark.parametrize("mode", ["webhook"], indirect=True)
async def test_webhook_calls_without_the_secret_are_refused_and_change_nothing(
    fake: FakeBotAPI, bot: BotProcess, database_url: str
) -> None:
    user = {"id": 5, "is_bot": False, "first_name": "X"}
    chat = {"id": 5, "type": "private"}
    message = {"message_id": 1, "date": 0, "chat": chat, "from": user, "text": "/start"}
    update = {"update_id": 999_999, "message": message}
    async with aiohttp.ClientSession() as client:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with client.post(
                bot.env["WEBHOOK_URL"], json=update, headers=headers
            ) as response:
                assert response.status == 401
    assert await count(database_url, OutboxMessage) == 0
    assert await count(database_url, InboxEvent) == 0
