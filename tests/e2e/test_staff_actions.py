"""Staff act on a case from its alert through the real clients and the fake Bot API."""

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import Case, CaseEvent
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import DEPARTMENT_CHAT
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import BotMessage, FakeBotAPI
from tests.support.clock import FakeClock
from tests.support.people import make_staff

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
    await forge(fake, OFFICER, alert, f"case:{(await the_case(database_url)).id}:accept")
    assert await case_events(database_url) == [*filed, "accepted", "transferred"]


async def forge(fake: FakeBotAPI, user_id: int, message: BotMessage, data: str) -> None:
    """Press with data no button of ours holds, as a tampering client could, and check that
    the bot refuses it with an alert."""
    user = fake.user(user_id, "Li").in_chat(message.chat_id)
    query_id = fake._new_callback_query_id()
    seen = len(fake.requests)
    query = {
        "id": query_id,
        "from": user.to_dict(),
        "message": message.to_dict(),
        "chat_instance": "1",
        "data": data,
    }
    fake.push_update({"callback_query": query})
    answer = await fake.wait_for_request(
        "answerCallbackQuery", lambda r: r.params.get("callback_query_id") == query_id, after=seen
    )
    assert answer.params.get("show_alert") in (True, "true"), answer.params


@pytest.mark.every_door  # presses and edits in a group, alerts shown on a press
async def test_every_alert_button_works_and_forged_or_stale_presses_change_nothing(
    fake: FakeBotAPI, bot: BotProcess, database_url: str
) -> None:
    database = Database(database_url)
    await make_staff(database, FakeClock(), OFFICER, name="Li")
    await make_staff(database, FakeClock(), 9004, department="anding.transport", name="Wu")
    await database.dispose()
    officer = fake.user(OFFICER, "Li")
    group = officer.in_chat(DEPARTMENT_CHAT)

    worker = TelegramWorker(fake, 7102)
    await worker.begin_report()
    await worker.answer_up_to_review()
    await worker.tap("Submit report", "Your report was received")
    alert = await fake.wait_for_text(DEPARTMENT_CHAT, "Case DX-")
    filed = await case_events(database_url)

    for data in ("case:1:explode", "case:99999999999999999999:accept", "case:x:note", "x" * 64):
        await forge(fake, OFFICER, alert, data)
    assert await case_events(database_url) == filed

    group.press(alert, button(alert, "Accept"))
    current = await fake.wait_for_message(
        DEPARTMENT_CHAT, lambda m: m.edited and "In progress" in m.text, include_edits=True
    )
    mark = fake.mark(OFFICER)
    group.press(current, button(current, "Contact"))
    await fake.wait_for_text(OFFICER, "138 1234 5678", after=mark)

    mark = fake.mark(OFFICER)
    group.press(current, button(current, "Note"))
    await fake.wait_for_text(OFFICER, "Type the note", after=mark)
    mark = fake.mark(OFFICER)
    officer.send_text("Employer called; paying on Friday.")
    question = await fake.wait_for_text(OFFICER, "Should the worker see", after=mark)
    worker_mark = fake.mark(worker.chat_id)
    officer.press(question, button(question, "Yes, tell"))
    await fake.wait_for_text(worker.chat_id, "paying on Friday", after=worker_mark)

    mark = fake.mark(OFFICER)
    officer.send_text("/mine")
    await fake.wait_for_text(OFFICER, "DX-", after=mark)
    mark = fake.mark(DEPARTMENT_CHAT)
    group.send_text("/overdue")
    await fake.wait_for_message(DEPARTMENT_CHAT, after=mark)

    mark = fake.mark(OFFICER)
    group.press(current, button(current, "Resolve"))
    question = await fake.wait_for_text(OFFICER, "How was case", after=mark)
    mark = fake.mark(OFFICER)
    officer.press(question, button(question, "partly paid"))
    await fake.wait_for_text(OFFICER, "How much was recovered", after=mark)
    mark = fake.mark(OFFICER)
    officer.send_text("15万")
    await fake.wait_for_text(OFFICER, "How many workers", after=mark)
    worker_mark = fake.mark(worker.chat_id)
    officer.send_text("1")
    await fake.wait_for_text(worker.chat_id, "150,000", after=worker_mark)
    assert (await the_case(database_url)).status == "resolved"

    after_resolution = await case_events(database_url)
    await forge(fake, 9004, alert, f"case:{(await the_case(database_url)).id}:reject")
    assert await case_events(database_url) == after_resolution
