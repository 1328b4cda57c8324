"""A worker books a visit to a reception point and cancels it, through each real driver.

The point's staff chat reads the bot in the bureau's language (Chinese): its notices are
compared through the catalog.
"""

import re
from collections.abc import Callable

from handlers.book_visit import BOOKED_NOTICE, CANCELLED_NOTICE
from handlers.i18n import translator
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import DEPARTMENT_CHAT
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import BotMessage, FakeBotAPI

POINT = "Anding Housing and Construction Bureau wage complaints desk"
POINT_CHAT = DEPARTMENT_CHAT
"""The desk's staff chat in bot/routing.example.toml is the department's group."""
_ = translator("zh")


def is_notice(template: str) -> Callable[[BotMessage], bool]:
    """A notice to the point's chat: every fixed part of its Chinese text, around the values."""
    parts = [part for part in re.split(r"\{\w+\}", _(template)) if part.strip()]
    return lambda message: all(part in message.content for part in parts)


async def test_a_worker_books_a_visit_then_cancels_it_and_the_point_hears_both(
    fake: FakeBotAPI, bot: BotProcess
) -> None:
    worker = TelegramWorker(fake, 7301)
    await worker.say("/start", "language")
    await worker.tap("English", "What would you like to do?")
    await worker.tap("Book a visit", "Which reception point?")
    days = await worker.tap(POINT, "Which day?")
    first_day = days.buttons()[0][0]
    await worker.press(first_day, "Which time")
    await worker.press("10:00", "Please check your visit")
    point = fake.mark(POINT_CHAT)
    booked = await worker.tap("Book this visit", "Your visit is booked")
    assert any("Cancel this visit" in text for text, _data in booked.buttons())
    await fake.wait_for_message(POINT_CHAT, is_notice(BOOKED_NOTICE), after=point)

    await worker.tap("Cancel this visit", f"Cancel your visit to {POINT}")
    point = fake.mark(POINT_CHAT)
    await worker.tap("Yes, cancel it", "is cancelled")
    await fake.wait_for_message(POINT_CHAT, is_notice(CANCELLED_NOTICE), after=point)

    seen = len(fake.requests)
    again = worker.user.press(worker.latest_with("Yes, cancel it"), "Yes, cancel it")
    answer = await fake.wait_for_request(
        "answerCallbackQuery",
        lambda r: r.params.get("callback_query_id") == again["callback_query"]["id"],
        after=seen,
    )
    assert "no longer booked" in str(answer.params.get("text"))
