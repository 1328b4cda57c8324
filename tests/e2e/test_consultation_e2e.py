"""A consultation and a walk-in case, through the real aiogram client and the fake Bot API."""

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import Case, CaseEvent, Consultation, Staff
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import DEPARTMENT_CHAT
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import BotMessage, FakeBotAPI
from tests.support.clock import FakeClock
from tests.support.people import make_staff

OFFICER = 9102


@pytest.fixture
def bot_env() -> dict[str, str]:
    """Staff texts in English, so the test can read them."""
    return {"DEFAULT_LANGUAGE": "en"}


@pytest.fixture
async def database(bot: BotProcess, database_url: str) -> AsyncIterator[Database]:
    """The bot's database, once the bot has migrated it and loaded the departments."""
    db = Database(database_url)
    yield db
    await db.dispose()


def button(message: BotMessage, fragment: str) -> str:
    return next(text for text, _ in message.buttons() if fragment in text)


async def test_staff_schedule_a_consultation_and_the_worker_confirms(
    fake: FakeBotAPI, database: Database
) -> None:
    await make_staff(database, FakeClock(), OFFICER, name="Officer Li")
    worker = TelegramWorker(fake, 7201)
    await worker.begin_report()
    await worker.answer_up_to_review()
    await worker.tap("Submit report", "Your report was received")
    alert = await fake.wait_for_text(DEPARTMENT_CHAT, "Case DX-")

    officer = TelegramWorker(fake, OFFICER, "Li")
    mark = fake.mark(OFFICER)
    officer.user.in_chat(DEPARTMENT_CHAT).press(alert, button(alert, "Consultation"))
    await fake.wait_for_text(OFFICER, "When will it be?", after=mark)
    await officer.say("25:00 tomorrow", "could not read a day and time")
    await officer.say("tomorrow 10:00", "Where will it be held?")
    await officer.say("Meeting room 2, Anding HR bureau", "Who takes part?")
    await officer.tap("Continue", "The worker will be invited")
    mark = fake.mark(worker.chat_id)
    await officer.tap("Schedule and invite", "The worker has been invited")
    invitation = await fake.wait_for_text(
        worker.chat_id, "invited to a seven-party consultation", after=mark
    )
    assert "Meeting room 2" in invitation.text

    mark = fake.mark(DEPARTMENT_CHAT)
    await worker.tap("I will attend", "you will attend")
    await fake.wait_for_text(DEPARTMENT_CHAT, "the worker will attend", after=mark)
    async with database.reader() as session:
        consultation = (await session.exec(select(Consultation))).one()
        kinds = [e.kind for e in await session.exec(select(CaseEvent).order_by(CaseEvent.id))]
    assert consultation.worker_attends is True
    assert kinds[-2:] == ["consultation_scheduled", "consultation_attendance"]


async def test_staff_file_a_case_for_a_walk_in_worker(fake: FakeBotAPI, database: Database) -> None:
    await make_staff(database, FakeClock(), OFFICER, name="Officer Li")
    officer = TelegramWorker(fake, OFFICER, "Li")
    await officer.say("/file", "What is the worker's name?")
    await officer.answer_up_to_review()
    await officer.tap("Submit report", "was filed for Wang Wu")
    alert = await fake.wait_for_text(DEPARTMENT_CHAT, "Case DX-")
    assert "138****5678" in alert.text
    async with database.reader() as session:
        case = (await session.exec(select(Case))).one()
        staff = (await session.exec(select(Staff))).one()
        created = (await session.exec(select(CaseEvent).where(CaseEvent.kind == "created"))).one()
    assert (case.source, case.worker_id) == ("reception", None)
    assert created.actor == f"staff:{staff.id}"
