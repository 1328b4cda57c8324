"""A forged button from the issue, through the real bot and the fake Bot API, on each database
(PostgreSQL when TEST_DATABASE_URL is set); through aiogram polling, as the id is refused by the
handlers whichever door the press came in by (each door's own handling of presses is
``test_staff_actions.py``'s, on every door).

``sv:3000000000:paid:full`` (a survey id beyond int32) used to fail the chat's transaction on
PostgreSQL; the pipeline retried it for ever and the chat got no answer again, across restarts.
"""

import pytest

from tests.e2e.botprocess import BotProcess
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import FakeBotAPI

FORGED = "sv:3000000000:paid:full"


@pytest.fixture
def mode() -> str:
    """Polling only: the press is handled the same way whichever way the update arrived."""
    return "polling"


async def test_a_forged_survey_id_beyond_int32_is_refused_and_the_chat_is_still_served(
    fake: FakeBotAPI, bot: BotProcess
) -> None:
    worker = TelegramWorker(fake, 7301)
    await worker.say("/start", "language")
    menu = await worker.tap("English", "What would you like to do?")
    query = worker.user.press_forged(menu, FORGED)["callback_query"]["id"]
    answer = await fake.wait_for_request(
        "answerCallbackQuery", lambda r: r.params.get("callback_query_id") == query
    )
    assert answer.params.get("text") == "This button is not valid."
    await worker.say("/help", "Your rights")
    assert "went wrong" not in "".join(m.content for m in fake.messages(worker.chat_id))
