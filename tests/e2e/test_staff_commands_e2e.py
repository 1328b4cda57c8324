"""Staff lists and cards through a real Telegram client and the fake Bot API.

Staff read the bot in the bureau's language (Chinese here), so the checks look at case
numbers, button payloads and catalog texts rather than at English words.
"""

import re
from collections.abc import AsyncIterator

import pytest

from handlers.i18n import translator
from storage.db import Database
from storage.models import StaffRole
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import DEPARTMENT_CHAT
from tests.e2e.worker import TIMEOUT, TelegramWorker
from tests.fake_bot_api import BotMessage, FakeBotAPI, FakeUser, Mark
from tests.support.clock import FakeClock
from tests.support.people import make_staff

HANDLER, OTHER_HANDLER, SUPERVISOR = 8101, 8102, 8103
REFUSAL = translator("zh")("You can only see your own department's cases.")


@pytest.fixture
async def number(fake: FakeBotAPI, bot: BotProcess, database_url: str) -> AsyncIterator[str]:
    """A worker's case in Anding's construction bureau, and staff to look at it."""
    database = Database(database_url)
    clock = FakeClock()
    await make_staff(database, clock, HANDLER)
    await make_staff(database, clock, OTHER_HANDLER, department="tongwei.construction")
    await make_staff(database, clock, SUPERVISOR, StaffRole.SUPERVISOR)
    await database.dispose()
    worker = TelegramWorker(fake, 7101)
    await worker.begin_report()
    await worker.answer_up_to_review()
    confirmation = await worker.tap("Submit report", "Your report was received")
    found = re.search(r"DX-\d{4}-\d{6}", confirmation.content)
    assert found is not None
    await fake.wait_for_text(DEPARTMENT_CHAT, found[0])
    yield found[0]


async def card_and_timeline(
    fake: FakeBotAPI, user: FakeUser, text: str, number: str
) -> tuple[BotMessage, BotMessage]:
    """Send ``text`` and wait for the card and the timeline (the one with times in code)."""
    mark = fake.mark(user.chat_id)
    user.send_text(text)
    return await cards_after(fake, user.chat_id, mark, number)


async def cards_after(
    fake: FakeBotAPI, chat_id: int, mark: Mark, number: str
) -> tuple[BotMessage, BotMessage]:
    trail = await fake.wait_for_message(
        chat_id,
        lambda m: number in m.content and any(e["type"] == "code" for e in m.entities),
        TIMEOUT,
        mark,
    )
    messages = fake.messages(chat_id)
    return messages[messages.index(trail) - 1], trail


def payloads(message: BotMessage) -> list[str]:
    return [data or "" for _, data in message.buttons()]


async def test_a_handler_lists_cases_in_the_department_group_and_opens_a_card(
    fake: FakeBotAPI, bot: BotProcess, number: str
) -> None:
    officer = fake.user(HANDLER, "Li").in_chat(DEPARTMENT_CHAT, "安定区住建局")
    mark = fake.mark(DEPARTMENT_CHAT)
    officer.send_text("/cases")
    listing = await fake.wait_for_message(
        DEPARTMENT_CHAT, lambda m: number in m.content and bool(m.buttons()), TIMEOUT, mark
    )
    ((label, opener),) = listing.buttons()
    assert opener is not None and opener.startswith("cases:open:")

    mark = fake.mark(DEPARTMENT_CHAT)
    officer.press(listing, label)
    card, trail = await cards_after(fake, DEPARTMENT_CHAT, mark, number)

    case_id = opener.rsplit(":", 1)[1]
    assert number in card.content and "138****5678" in card.content
    assert f"case:{case_id}:accept" in payloads(card)
    assert translator("zh")("case filed") in trail.content


async def test_a_supervisor_opens_any_departments_case_read_only(
    fake: FakeBotAPI, bot: BotProcess, number: str
) -> None:
    supervisor = fake.user(SUPERVISOR, "Ma")

    card, trail = await card_and_timeline(fake, supervisor, f"/case {number}", number)

    assert number in card.content and not card.buttons()
    assert number in trail.content


async def test_a_handler_of_another_department_is_refused(
    fake: FakeBotAPI, bot: BotProcess, number: str
) -> None:
    outsider = fake.user(OTHER_HANDLER, "Zhou")
    mark = fake.mark(outsider.chat_id)
    outsider.send_text(f"/case {number}")
    refusal = await fake.wait_for_text(outsider.chat_id, REFUSAL, TIMEOUT, mark)
    assert number not in refusal.content and not refusal.buttons()

    officer = fake.user(HANDLER, "Li").in_chat(DEPARTMENT_CHAT, "安定区住建局")
    mark = fake.mark(DEPARTMENT_CHAT)
    officer.send_text("/cases")
    listing = await fake.wait_for_message(
        DEPARTMENT_CHAT, lambda m: bool(m.buttons()), TIMEOUT, mark
    )
    member = fake.user(OTHER_HANDLER, "Zhou").in_chat(DEPARTMENT_CHAT, "安定区住建局")
    sent = len(fake.messages(DEPARTMENT_CHAT))
    member.press(listing, listing.buttons()[0][0])
    await fake.wait_for_request(
        "answerCallbackQuery", lambda r: r.params.get("text") == REFUSAL, TIMEOUT
    )
    assert len(fake.messages(DEPARTMENT_CHAT)) == sent
