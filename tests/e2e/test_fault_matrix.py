"""Every Bot API call the bot makes × every kind of bad answer, on both drivers.

One bot process per driver walks the whole matrix: for each cell a new worker's chat gets the
fault on one method, then talks to the bot. Afterwards, per cell, the chat got exactly the
replies it should (nothing lost, nothing twice), each button press was answered once; at the
end no outbox row is left ``sending`` or failed, and the bot's log holds no traceback and no
"Task exception was never retrieved". Set-up calls (deleteWebhook, setWebhook) meet every kind
of answer in turn before the bot is receiving, and must come through too.
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import OutboxMessage, OutboxStatus
from tests.e2e.botprocess import BotProcess
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import RAW_ANSWERS, FakeBotAPI
from tests.support.waiting import until

ANSWERS = (*RAW_ANSWERS, "hang", "drop")
"""Telegram's own JSON 500, a proxy's HTML 502, an empty and a cut-off 200, JSON served as
text/plain; an answer that comes late; a connection closed without an answer."""
EXIT_REFUSED_TOKEN = 3
HANG_SECONDS = 1.0
"""Long enough to hold the call up, shorter than either client's own timeout."""


def inject(fake: FakeBotAPI, answer: str, method: str, chat_id: int | None = None) -> None:
    """One bad answer of this kind to the next call of ``method`` (in ``chat_id``)."""
    if answer == "hang":
        fake.hang_next(1, method, seconds=HANG_SECONDS, chat_id=chat_id)
    elif answer == "drop":
        fake.drop_next(1, method, chat_id=chat_id)
    else:
        fake.answer_next(answer, 1, method, chat_id=chat_id)


def every_answer_in_turn(fake: FakeBotAPI, method: str) -> None:
    for answer in ANSWERS:
        inject(fake, answer, method)


async def outbox_by_status(database_url: str) -> dict[str, int]:
    database = Database(database_url)
    try:
        async with database.reader() as session:
            found = (await session.exec(select(OutboxMessage.status))).all()
    finally:
        await database.dispose()
    counts: dict[str, int] = {}
    for status in found:
        counts[str(status)] = counts.get(str(status), 0) + 1
    return counts


async def assert_all_sent(database_url: str) -> None:
    async def settled() -> bool:
        statuses = await outbox_by_status(database_url)
        return set(statuses) == {OutboxStatus.SENT.value}

    try:
        await until(settled, 20, every=0.1, what="every outbox row sent")
    except AssertionError as error:
        raise AssertionError(f"{error}: {await outbox_by_status(database_url)}") from None


def assert_clean_log(bot: BotProcess) -> None:
    output = bot.output()
    for sign in ("Traceback", "Task exception was never retrieved", "CRITICAL"):
        assert sign not in output, f"{sign!r} in the bot's log:\n{output[-6000:]}"


def user_ids() -> Iterator[int]:
    yield from range(8100, 9000)


async def walk_sends(fake: FakeBotAPI, ids: Iterator[int]) -> list[str]:
    """sendMessage, answerCallbackQuery and getUpdates × every answer; the problems found."""
    problems: list[str] = []
    expected = await conversation(fake, next(ids), None)
    for method in ("sendMessage", "answerCallbackQuery", "getUpdates"):
        for answer in ANSWERS:
            cell = f"{method} × {answer}"
            try:
                texts = await conversation(fake, next(ids), (answer, method))
            except AssertionError as error:
                problems.append(f"{cell}: the chat was not served after the fault: {error}")
                continue
            if texts != expected:
                problems.append(f"{cell}: the chat got {texts}, not {expected}")
    return problems


async def conversation(fake: FakeBotAPI, user_id: int, fault: tuple[str, str] | None) -> list[str]:
    """A worker starts a report, the fault striking after the first reply; what the chat got."""
    worker = TelegramWorker(fake, user_id)
    await worker.say("/start", "language")
    if fault is not None:
        answer, method = fault
        inject(fake, answer, method, worker.chat_id if method == "sendMessage" else None)
    await worker.tap("English", "What would you like to do?")
    await worker.tap("Report unpaid wages", "What is your name?")
    return [m.text for m in fake.messages(worker.chat_id)]


def answered_presses(fake: FakeBotAPI) -> list[str]:
    """The callback query ids the bot answered, once per answer Telegram carried out (not the
    injected answers that merely say 200)."""
    calls = fake.calls("answerCallbackQuery")
    return [str(r.params["callback_query_id"]) for r in calls if r.ok and r.response]


async def test_every_call_survives_every_bad_answer(
    fake: FakeBotAPI, database_url: str, tmp_path: Path, driver: str
) -> None:
    every_answer_in_turn(fake, "deleteWebhook")
    bot = BotProcess(fake, database_url, tmp_path / "polling", driver=driver)
    await bot.start()
    try:
        problems = await walk_sends(fake, user_ids())
        await assert_all_sent(database_url)
        answered = answered_presses(fake)
        assert len(answered) == len(set(answered)) == 2 * (1 + 3 * len(ANSWERS)), answered
        assert not problems, "\n".join(problems)
        assert_clean_log(bot)
    finally:
        code = await bot.stop()
    assert code == 0, bot.output()[-5000:]


async def test_webhook_set_up_survives_every_bad_answer(
    fake: FakeBotAPI, database_url: str, tmp_path: Path, driver: str
) -> None:
    every_answer_in_turn(fake, "setWebhook")
    bot = BotProcess(fake, database_url, tmp_path / "webhook", mode="webhook", driver=driver)
    await bot.start()
    try:

        async def registered() -> bool:
            return any(r.ok for r in fake.calls("setWebhook"))

        await until(registered, 30, every=0.1, what="the webhook registered")
        worker = TelegramWorker(fake, 8999)
        await worker.say("/start", "language")
        await worker.tap("English", "What would you like to do?")
        await assert_all_sent(database_url)
        assert_clean_log(bot)
    finally:
        code = await bot.stop()
    assert code == 0, bot.output()[-5000:]


async def outbox_rows(database_url: str) -> list[OutboxMessage]:
    database = Database(database_url)
    try:
        async with database.reader() as session:
            return list((await session.exec(select(OutboxMessage))).all())
    finally:
        await database.dispose()


async def test_a_request_telegram_rejects_is_settled_failed_and_the_chat_moves_on(
    fake: FakeBotAPI, database_url: str, tmp_path: Path, driver: str
) -> None:
    bot = BotProcess(fake, database_url, tmp_path, driver=driver)
    await bot.start()
    try:
        worker = TelegramWorker(fake, 8998)
        fake.fail_next(1, 400, "sendMessage", chat_id=worker.chat_id)
        worker.user.send_text("/start")
        await fake.wait_for_request("sendMessage", lambda r: r.status == 400)
        await worker.say("/start", "language")
        await worker.tap("English", "What would you like to do?")
        failed = [r for r in await outbox_rows(database_url) if r.status == OutboxStatus.FAILED]
        assert [(r.chat_id, r.error) for r in failed] == [(worker.chat_id, "Bad Request")]
        assert "Telegram refused outbox message" in bot.output()
        assert_clean_log(bot)
    finally:
        await bot.stop()


@pytest.mark.parametrize("method", ["sendMessage", "getUpdates"])
async def test_a_refused_token_stops_the_bot_with_one_clear_line(
    fake: FakeBotAPI, database_url: str, tmp_path: Path, driver: str, method: str
) -> None:
    bot = BotProcess(fake, database_url, tmp_path, driver=driver)
    await bot.start()
    worker = TelegramWorker(fake, 8997)
    fake.fail_next(1, 401, method)
    worker.user.send_text("/start")
    assert bot.process is not None
    async with asyncio.timeout(30):
        code = await bot.process.wait()
    assert code == EXIT_REFUSED_TOKEN
    refusals = [line for line in bot.output().splitlines() if "BOT_TOKEN" in line]
    assert refusals == [
        "arrears-bot: the Bot API refused BOT_TOKEN (Unauthorized): check the token"
    ], bot.output()[-4000:]
    assert_clean_log(bot)
    statuses = await outbox_by_status(database_url)
    assert OutboxStatus.SENDING.value not in statuses, statuses
