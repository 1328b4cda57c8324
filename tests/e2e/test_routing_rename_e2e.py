"""A county renamed in the routing file between two runs of the real bot: its case goes on.

The bot files a case under ``anding``, stops, is started with a file that calls the county
``anding-district`` (``renamed_from = ["anding"]``), and staff act on the old alert. Started
with a file that drops the code without saying so, the bot refuses at once with one line.
"""

from pathlib import Path

import pytest

from bot.settings import EXAMPLE_ROUTING_FILE
from storage.db import Database
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import DEPARTMENT_CHAT
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import FakeBotAPI
from tests.support.clock import FakeClock
from tests.support.people import make_staff

OFFICER = 9002
EXAMPLE = EXAMPLE_ROUTING_FILE.read_text(encoding="utf-8")


@pytest.fixture
def mode() -> str:
    """Receiving is not what this is about: polling alone, with both drivers."""
    return "polling"


@pytest.fixture
def bot_env() -> dict[str, str]:
    return {"DEFAULT_LANGUAGE": "en"}


def routing_file(folder: Path, name: str, *, mapped: bool) -> str:
    mapping = 'renamed_from = ["anding"]\n' if mapped else ""
    text = EXAMPLE.replace('code = "anding"\n', f'code = "anding-district"\n{mapping}')
    text = text.replace('county = "anding"\n', 'county = "anding-district"\n')
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


async def test_a_renamed_countys_case_is_served_after_a_restart_and_a_dropped_one_refused(
    fake: FakeBotAPI, bot: BotProcess, database_url: str, tmp_path: Path
) -> None:
    database = Database(database_url)
    await make_staff(database, FakeClock(), OFFICER, name="Li")
    await database.dispose()
    worker = TelegramWorker(fake, 7101)
    await worker.begin_report()
    await worker.answer_up_to_review()
    await worker.tap("Submit report", "Your report was received")
    alert = await fake.wait_for_text(DEPARTMENT_CHAT, "Case DX-")
    number = alert.text.split("Case ")[1].split("<")[0].split()[0]
    await bot.stop()

    bot.env["ROUTING_FILE"] = routing_file(tmp_path, "dropped.toml", mapped=False)
    await bot.spawn()
    assert bot.process is not None
    assert await bot.process.wait() == 2
    refusal = bot.output().strip().splitlines()[-1]
    assert f"county 'anding' (1 open case: {number})" in refusal, bot.output()
    assert 'renamed_from = ["anding"]' in refusal

    bot.env["ROUTING_FILE"] = routing_file(tmp_path, "renamed.toml", mapped=True)
    await bot.start()
    officer = fake.user(OFFICER, "Li").in_chat(DEPARTMENT_CHAT)
    accept = next(text for text, _ in alert.buttons() if "Accept" in text)
    mark = fake.mark(worker.chat_id)
    officer.press(alert, accept)
    await fake.wait_for_text(worker.chat_id, "Li is handling it", after=mark)
    mark = fake.mark(DEPARTMENT_CHAT)
    officer.send_text(f"/case {number}")
    card = await fake.wait_for_text(DEPARTMENT_CHAT, "County: Anding District", after=mark)
    assert "In progress" in card.text
