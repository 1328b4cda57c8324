"""The return visit end to end: a real driver against the fake Bot API, time moved by hand.

A case is filed and resolved in Telegram; a day later its worker is asked whether the money
arrived, answers "not yet", and the department's chat sees the case reopened. The bot runs in
this process so the test can own its clock (the deadlines' end-to-end tests share the set-up);
the due-work sweep is called where APScheduler would call it.
"""

from datetime import timedelta

from sqlmodel import select

from bot.app import Runtime
from bot.scheduler import run_due_work
from storage.models import Survey, SurveyStatus
from tests.e2e.conftest import DEPARTMENT_CHAT
from tests.e2e.test_deadlines_e2e import JumpingClock, clock, delivered, runtime
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import BotMessage, FakeBotAPI
from tests.support.clock import FakeClock
from tests.support.people import make_staff

__all__ = ["clock", "runtime"]
"""The bot in this process and its jumping clock, as the deadlines' tests set them up."""

OFFICER = 9102


def button(message: BotMessage, fragment: str) -> str:
    return next(text for text, _ in message.buttons() if fragment in text)


async def resolve_in_telegram(fake: FakeBotAPI, alert: BotMessage) -> None:
    officer = fake.user(OFFICER, "Li")
    mark = fake.mark(OFFICER)
    officer.in_chat(DEPARTMENT_CHAT).press(alert, button(alert, "Resolve"))
    question = await fake.wait_for_text(OFFICER, "How was case", after=mark)
    for label, following in (
        ("paid in full", "How much was recovered"),
        ("All of it", "How many workers"),
        ("All 1", "Done: case"),
    ):
        mark = fake.mark(OFFICER)
        officer.press(question, button(question, label))
        question = await fake.wait_for_text(OFFICER, following, after=mark)


async def return_visit_status(runtime: Runtime) -> str:
    async with runtime.db.reader() as session:
        return (
            await session.exec(select(Survey.status).where(Survey.kind == "return_visit"))
        ).one()


async def file_and_resolve(
    fake: FakeBotAPI, runtime: Runtime, clock: JumpingClock
) -> TelegramWorker:
    """A worker reports in Telegram and an officer resolves the case there."""
    await make_staff(runtime.db, FakeClock(clock.now()), OFFICER, name="Officer Li")
    worker = TelegramWorker(fake, 7201)
    await worker.begin_report()
    await worker.answer_up_to_review()
    await worker.tap("Submit report", "Your report was received")
    alert = await fake.wait_for_text(DEPARTMENT_CHAT, "Case DX-")
    mark = fake.mark(worker.chat_id)
    await resolve_in_telegram(fake, alert)
    await fake.wait_for_text(worker.chat_id, "is resolved", after=mark)
    return worker


async def sweep(runtime: Runtime, clock: JumpingClock) -> None:
    """What APScheduler's interval job asks for: the due work, at the clock's time."""
    await run_due_work(runtime.db, runtime.config, clock, on_outgoing=runtime.sender.wake)


async def test_a_worker_who_was_not_paid_reopens_the_case_from_the_return_visit(
    fake: FakeBotAPI, runtime: Runtime, clock: JumpingClock
) -> None:
    worker = await file_and_resolve(fake, runtime, clock)
    mark = fake.mark(worker.chat_id)
    await delivered(runtime)
    clock.jump_to(clock.now() + timedelta(hours=23, minutes=59))
    await sweep(runtime, clock)
    assert await return_visit_status(runtime) == SurveyStatus.SCHEDULED
    clock.jump_to(clock.now() + timedelta(minutes=1))
    await sweep(runtime, clock)
    await fake.wait_for_text(worker.chat_id, "Have you received the money?", after=mark)

    department = fake.mark(DEPARTMENT_CHAT)
    await worker.tap("Not yet", "How satisfied are you")
    await fake.wait_for_text(DEPARTMENT_CHAT, "is reopened", after=department)
    reopened = await fake.wait_for_message(
        DEPARTMENT_CHAT, lambda m: "Reopened" in m.content and bool(m.buttons()), after=department
    )
    assert any("Resolve" in text for text, _ in reopened.buttons())
    await fake.wait_for_text(worker.chat_id, "open again", after=mark)
    assert await return_visit_status(runtime) == SurveyStatus.ANSWERED


async def test_a_worker_who_blocked_the_bot_makes_the_return_visit_undeliverable_at_once(
    fake: FakeBotAPI, runtime: Runtime, clock: JumpingClock
) -> None:
    worker = await file_and_resolve(fake, runtime, clock)
    fake.block_chat(worker.chat_id)
    await delivered(runtime)
    clock.jump_to(clock.now() + timedelta(hours=24))
    await sweep(runtime, clock)
    await delivered(runtime)  # the question was refused: 403
    assert await return_visit_status(runtime) == SurveyStatus.ASKED
    await sweep(runtime, clock)  # the same moment, not two days later at the reminder
    assert await return_visit_status(runtime) == SurveyStatus.UNDELIVERABLE
