"""Every Bot API call the bot makes × every kind of bad answer, on both drivers.

One bot process per driver walks the whole matrix: for each cell a new worker's chat gets the
fault on one method, then talks to the bot. Afterwards, per cell, the chat got exactly the
replies it should (nothing lost, nothing twice), each button press was answered once; at the
end no outbox row is left ``sending`` or failed, and the bot's log holds no traceback and no
"Task exception was never retrieved". Set-up calls (deleteWebhook, setWebhook) meet every kind
of answer in turn before the bot is receiving, and must come through too.
"""

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import OutboxMessage, OutboxStatus, StaffRole
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import DEPARTMENT_CHAT
from tests.e2e.worker import TIMEOUT, TelegramWorker
from tests.fake_bot_api import RAW_ANSWERS, BotMessage, FakeBotAPI
from tests.support.clock import FakeClock
from tests.support.people import make_staff
from tests.support.waiting import until

# Every driver and mode takes its own path here: its own handling of every bad answer
# Telegram can give.
pytestmark = pytest.mark.every_door

ANSWERS = (*RAW_ANSWERS, "drop", "hang")
"""Telegram's own JSON 500, a proxy's HTML 502, an empty and a cut-off 200, JSON served as
text/plain; a connection closed without an answer; an answer that comes late (last: a call
held up that way does go through, so set-up meets the others first)."""
HANG_SECONDS = 1.0
"""Long enough to hold the call up, shorter than either client's own timeout."""
EXIT_REFUSED_TOKEN = 3
OFFICER = 9002
SUPERVISOR = 8201
ENGLISH = {"DEFAULT_LANGUAGE": "en"}
"""Alerts in English, so that the officer's buttons are found by their English labels."""


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
    yield from range(8100, 8900)


Fault = tuple[str, str] | None
"""(answer kind, method), or None for the run that shows what a chat gets without a fault."""
Scenario = Callable[[Fault], Awaitable[list[str]]]


async def walk(scenarios: dict[str, Scenario]) -> list[str]:
    """Each method × every answer kind: what the chat got must equal the fault-free run's."""
    problems: list[str] = []
    for method, scenario in scenarios.items():
        expected = await scenario(None)
        for answer in ANSWERS:
            cell = f"{method} × {answer}"
            try:
                got = await scenario((answer, method))
            except AssertionError as error:
                problems.append(f"{cell}: the chat was not served after the fault: {error}")
                continue
            if got != expected:
                problems.append(f"{cell}: the chat got {got}, not {expected}")
    return problems


def conversation(fake: FakeBotAPI, ids: Iterator[int]) -> Scenario:
    """A new worker starts a report; the fault strikes after the first reply."""

    async def run(fault: Fault) -> list[str]:
        worker = TelegramWorker(fake, next(ids))
        await worker.say("/start", "language")
        if fault is not None:
            answer, method = fault
            inject(fake, answer, method, worker.chat_id if method == "sendMessage" else None)
        await worker.tap("English", "What would you like to do?")
        await worker.tap("Report unpaid wages", "How your information is used")
        await worker.tap("I agree", "What is your name?")
        return [m.text or "" for m in fake.messages(worker.chat_id)]

    return run


def report(fake: FakeBotAPI) -> Scenario:
    """The supervisor asks for the week's report: a chart and a workbook (sendDocument)."""

    async def run(fault: Fault) -> list[str]:
        mark = fake.mark(SUPERVISOR)
        if fault is not None:
            inject(fake, *fault, chat_id=SUPERVISOR)
        fake.user(SUPERVISOR, "Zhao").send_text("/report week")
        for suffix in (".png", ".xlsx"):
            await fake.wait_for_message(SUPERVISOR, is_document(suffix), TIMEOUT, mark)
        return [str((m.document or {}).get("file_name")) for m in fake.messages(SUPERVISOR)[-2:]]

    return run


def acceptance(fake: FakeBotAPI, ids: Iterator[int]) -> Scenario:
    """A new worker's case is accepted from its alert, which is edited (editMessageText)."""

    async def run(fault: Fault) -> list[str]:
        worker = TelegramWorker(fake, next(ids))
        alerts = fake.mark(DEPARTMENT_CHAT)
        await worker.begin_report()
        await worker.answer_up_to_review()
        await worker.tap("Submit report", "Your report was received")
        alert = await fake.wait_for_text(DEPARTMENT_CHAT, "Case DX-", TIMEOUT, alerts)
        if fault is not None:
            inject(fake, *fault, chat_id=DEPARTMENT_CHAT)
        mark = fake.mark(worker.chat_id)
        accept = next(text for text, _ in alert.buttons() if "Accept" in text)
        fake.user(OFFICER, "Li").in_chat(DEPARTMENT_CHAT).press(alert, accept)
        await fake.wait_for_text(worker.chat_id, "Li is handling it", TIMEOUT, mark)
        edited = await fake.wait_for_message(
            DEPARTMENT_CHAT,
            lambda m: m.message_id == alert.message_id and "In progress" in (m.text or ""),
            TIMEOUT,
            include_edits=True,
        )
        told = [m.text or "" for m in fake.messages(worker.chat_id) if m.seq > mark.seq]
        return [f"alert edited {len(edited.history)} time(s)", *map(without_numbers, told)]

    return run


def without_numbers(text: str) -> str:
    return re.sub(r"DX-\d+-\d+", "DX-…", text)


def is_document(suffix: str) -> Callable[[BotMessage], bool]:
    def check(message: BotMessage) -> bool:
        return str((message.document or {}).get("file_name", "")).endswith(suffix)

    return check


async def test_every_call_survives_every_bad_answer(
    fake: FakeBotAPI, database_url: str, tmp_path: Path, driver: str
) -> None:
    every_answer_in_turn(fake, "deleteWebhook")
    bot = BotProcess(fake, database_url, tmp_path / "polling", driver=driver, extra_env=ENGLISH)
    await bot.start()
    try:
        database = Database(database_url)
        await make_staff(database, FakeClock(), OFFICER, name="Li")
        await make_staff(database, FakeClock(), SUPERVISOR, StaffRole.SUPERVISOR)
        await database.dispose()
        ids = user_ids()
        problems = await walk(
            {
                "sendMessage": conversation(fake, ids),
                "answerCallbackQuery": conversation(fake, ids),
                "getUpdates": conversation(fake, ids),
                "sendDocument": report(fake),
                "editMessageText": acceptance(fake, ids),
            }
        )
        await assert_all_sent(database_url)
        assert fake.unanswered_callback_queries() == []
        assert fake.faults_waiting == 0  # every cell's fault did strike
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
            return any(r.ok and r.response for r in fake.calls("setWebhook"))

        await until(registered, 30, every=0.1, what="the webhook registered")
        assert fake.faults_waiting == 0
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


@pytest.mark.parametrize("method", ["sendMessage", "getUpdates"])
async def test_a_call_telegram_never_answers_is_given_up_and_retried(
    fake: FakeBotAPI, database_url: str, tmp_path: Path, driver: str, method: str
) -> None:
    """A hung request (no answer, the connection held open) holds its chat only for
    ``DELIVERY_REQUEST_TIMEOUT_SECONDS``: then it is given up and retried, and what it carried
    arrives once. getUpdates waits that long beyond its 25 s long poll."""
    timeout = {"DELIVERY_REQUEST_TIMEOUT_SECONDS": "2"}
    bot = BotProcess(fake, database_url, tmp_path, driver=driver, extra_env=timeout)
    await bot.start()
    try:
        worker = TelegramWorker(fake, 8996)
        await worker.say("/start", "language")
        fake.hang_next(
            1, method, seconds=None, chat_id=worker.chat_id if method != "getUpdates" else None
        )

        async def struck() -> bool:
            return fake.faults_waiting == 0

        if method == "getUpdates":  # the next poll is held; the message comes after it
            await until(struck, 40, every=0.1, what="a getUpdates held")
        mark = fake.mark(worker.chat_id)
        worker.user.send_text("/help")
        reply = await fake.wait_for_message(worker.chat_id, lambda m: True, 60, mark)
        await assert_all_sent(database_url)
        after = [m.text for m in fake.messages(worker.chat_id) if m.seq > mark.seq]
        assert after == [reply.text]  # once: the hung request was never carried out
        assert await struck()
        assert_clean_log(bot)
    finally:
        fake.release_hangs()
        await bot.stop()
