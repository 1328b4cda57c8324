"""A supervisor asks for the figures, the chart and the export through the real aiogram client
and the fake Bot API, and gets files that open.

Staff read the bot in the bureau's language (Chinese), so texts are compared through the catalog.
"""

import io
from collections.abc import Callable

import openpyxl
import pytest
from PIL import Image

from handlers.i18n import translator
from storage.db import Database
from storage.models import StaffRole
from tests.e2e.botprocess import BotProcess
from tests.e2e.worker import TIMEOUT
from tests.fake_bot_api import BotMessage, FakeBotAPI
from tests.support.clock import FakeClock
from tests.support.figures_data import seed_november
from tests.support.people import make_staff

# Every driver and mode takes its own path here: sending a chart and a workbook as files.
pytestmark = pytest.mark.every_door

SUPERVISOR = 8201
NOVEMBER = "2026-11-01 2026-11-30"
_ = translator("zh")


@pytest.fixture
async def seeded(bot: BotProcess, database_url: str) -> BotProcess:
    """The running bot's database holds November's hand-computed cases and a supervisor."""
    database = Database(database_url)
    await seed_november(database)
    await make_staff(database, FakeClock(), SUPERVISOR, StaffRole.SUPERVISOR)
    await database.dispose()
    return bot


async def test_a_supervisor_gets_the_figures_the_chart_and_the_export(
    fake: FakeBotAPI, seeded: BotProcess
) -> None:
    supervisor = fake.user(SUPERVISOR, "Zhao")
    mark = fake.mark(SUPERVISOR)
    supervisor.send_text(f"/stats {NOVEMBER}")
    figures = await fake.wait_for_text(
        SUPERVISOR, _("Received: {count}").format(count=7), TIMEOUT, mark
    )
    assert _("By county:") in figures.text

    mark = fake.mark(SUPERVISOR)
    supervisor.send_text(f"/report {NOVEMBER}")
    chart = await fake.wait_for_message(SUPERVISOR, is_document(".png"), TIMEOUT, mark)
    export = await fake.wait_for_message(SUPERVISOR, is_document(".xlsx"), TIMEOUT, mark)

    with Image.open(io.BytesIO(uploaded(fake, chart))) as image:
        image.verify()
        assert image.format == "PNG"
    book = openpyxl.load_workbook(io.BytesIO(uploaded(fake, export)))
    cases = list(book.worksheets[0].values)
    assert len(cases) == 1 + 8  # the header, then the cases received or closed in November
    assert cases[1][0] == "DX-2026-000005"  # received in October, resolved on 1 November
    assert book.worksheets[1]["B2"].value == 7  # received, in all


def is_document(suffix: str) -> Callable[[BotMessage], bool]:
    def check(message: BotMessage) -> bool:
        return bool(message.document) and message.document["file_name"].endswith(suffix)

    return check


def uploaded(fake: FakeBotAPI, message: BotMessage) -> bytes:
    assert message.document is not None
    return fake.file(message.document["file_id"]).data
