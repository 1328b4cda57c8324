"""Staff take a case from alert to transfer through the real client and the fake Bot API."""

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import Case, CaseEvent
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import DEPARTMENT_CHAT
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import BotMessage, FakeBotAPI

ADMIN = 9001
OFFICER = 9002
STRANGER = 9003
TRANSPORT_CHAT = -1001000000102


@pytest.fixture
def bot_env() -> dict[str, str]:
    return {"BOT_ADMIN_IDS": f"[{ADMIN}]", "DEFAULT_LANGUAGE": "en"}


async def case_events(database_url: str) -> list[str]:
    database = Database(database_url)
    try:
        async with database.reader() as session:
            rows = await session.exec(select(CaseEvent).order_by(CaseEvent.id))
            return [row.kind for row in rows]
    finally:
        await database.dispose()


async def the_case(database_url: str) -> Case:
    database = Database(database_url)
    try:
        async with database.reader() as session:
            return (await session.exec(select(Case))).one()
    finally:
        await database.dispose()


def button(message: BotMessage, fragment: str) -> str:
    return next(text for text, _ in message.buttons() if fragment in text)


async def test_a_handler_joins_accepts_and_transfers_a_case(
    fake: FakeBotAPI, bot: BotProcess, database_url: str
) -> None:
    admin = fake.user(ADMIN, "Admin")
    mark = fake.mark(ADMIN)
    admin.send_text("/invite handler anding.construction")
    invite = await fake.wait_for_text(ADMIN, "Invite code", after=mark)
    code = invite.text.split("/join ")[1].split()[0]
    officer = fake.user(OFFICER, "Li")
    mark = fake.mark(OFFICER)
    officer.send_text(f"/join {code}")
    await fake.wait_for_text(OFFICER, "Welcome", after=mark)

    worker = TelegramWorker(fake, 7101)
    await worker.begin_report()
    await worker.answer_up_to_review()
    await worker.tap("Submit report", "Your report was received")
    alert = await fake.wait_for_text(DEPARTMENT_CHAT, "Case DX-")

    filed = await case_events(database_url)
    stranger = fake.user(STRANGER, "Nosy").in_chat(DEPARTMENT_CHAT)
    stranger.press(alert, button(alert, "Accept"))
    await fake.wait_for_request(
        "answerCallbackQuery", lambda r: r.params.get("show_alert") in (True, "true")
    )
    assert await case_events(database_url) == filed

    mark = fake.mark(worker.chat_id)
    officer.in_chat(DEPARTMENT_CHAT).press(alert, button(alert, "Accept"))
    await fake.wait_for_text(worker.chat_id, "Li is handling it", after=mark)
    edited = await fake.wait_for_message(
        DEPARTMENT_CHAT, lambda m: m.edited and "In progress" in m.text, include_edits=True
    )
    assert not any("Accept" in text for text, _ in edited.buttons())

    mark = fake.mark(OFFICER)
    officer.in_chat(DEPARTMENT_CHAT).press(edited, button(edited, "Transfer"))
    question = await fake.wait_for_text(OFFICER, "Transfer case", after=mark)
    mark = fake.mark(OFFICER)
    officer.press(question, button(question, "Transport"))
    await fake.wait_for_text(OFFICER, "Why is it transferred", after=mark)
    mark = fake.mark(worker.chat_id)
    officer.send_text("It is a road project.")
    await fake.wait_for_text(TRANSPORT_CHAT, "Case DX-")
    await fake.wait_for_text(worker.chat_id, "road project", after=mark)
    await fake.wait_for_message(
        DEPARTMENT_CHAT, lambda m: "transferred to" in m.text, include_edits=True
    )
    assert await case_events(database_url) == [*filed, "accepted", "transferred"]
    assert (await the_case(database_url)).assignee_id is None
