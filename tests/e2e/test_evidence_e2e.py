"""A worker tells the story by voice and sends a photo and a PDF; the department's handler opens
them with 📎 Evidence in private, a handler of another department is refused — through each
client and the fake Bot API."""

from collections.abc import Callable

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import Attachment, AttachmentRole, CaseEvent
from tests.e2e.botprocess import BotProcess
from tests.e2e.conftest import DEPARTMENT_CHAT
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import BotMessage, FakeBotAPI
from tests.support.clock import FakeClock
from tests.support.people import make_staff

# Every driver and mode takes its own path here: sending voice, albums and documents.
pytestmark = pytest.mark.every_door

OFFICER = 9002
OTHER_HANDLER = 9004
"""A handler of 安定区交通局, who may not see a construction case."""


@pytest.fixture
def bot_env() -> dict[str, str]:
    return {"DEFAULT_LANGUAGE": "en"}


async def stored(database_url: str) -> tuple[list[Attachment], list[str]]:
    database = Database(database_url)
    try:
        async with database.reader() as session:
            files = (await session.exec(select(Attachment).order_by(Attachment.id))).all()
            kinds = (await session.exec(select(CaseEvent.kind).order_by(CaseEvent.id))).all()
            return list(files), list(kinds)
    finally:
        await database.dispose()


async def sent(
    fake: FakeBotAPI, worker: TelegramWorker, send: Callable[[], object], expect: str
) -> BotMessage:
    mark = fake.mark(worker.chat_id)
    send()
    return await fake.wait_for_text(worker.chat_id, expect, worker.timeout, mark)


async def test_the_handler_opens_the_story_and_the_evidence_and_another_department_cannot(
    fake: FakeBotAPI, bot: BotProcess, database_url: str
) -> None:
    database = Database(database_url)
    await make_staff(database, FakeClock(), OFFICER, name="Li")
    await make_staff(database, FakeClock(), OTHER_HANDLER, department="anding.transport")
    await database.dispose()

    worker = TelegramWorker(fake, 7201)
    await worker.begin_report()
    await worker.answer_up_to_story()
    user = worker.user
    await sent(fake, worker, lambda: user.send_voice(42), "I have your voice message")
    await worker.tap("Keep current answer", "Do you have evidence")
    await sent(fake, worker, user.send_photo, "Received so far: 1 of 9 (1 photo).")
    await sent(fake, worker, lambda: user.send_document("iou.pdf"), "1 photo, 1 document")
    review = await worker.tap("Done", "Please check your report")
    assert "🎤 voice message, 0:42" in review.text
    await worker.tap("Submit report", "Your report was received")
    alert = await fake.wait_for_text(DEPARTMENT_CHAT, "Case DX-")
    assert "🎤 voice message, 0:42" in alert.text
    assert "Evidence: 1 photo, 1 document" in alert.text
    evidence = next(text for text, _ in alert.buttons() if "Evidence" in text)

    files, kinds = await stored(database_url)
    assert [(f.role, f.kind) for f in files] == [
        (AttachmentRole.STORY, "voice"),
        (AttachmentRole.EVIDENCE, "photo"),
        (AttachmentRole.EVIDENCE, "document"),
    ]
    assert files[2].mime_type == "application/pdf" and files[0].duration == 42

    seen = len(fake.requests)
    fake.user(OTHER_HANDLER, "Wu").in_chat(DEPARTMENT_CHAT).press(alert, evidence)
    refusal = await fake.wait_for_request("answerCallbackQuery", after=seen)
    assert refusal.params.get("show_alert") in (True, "true")
    assert "Only staff of the department" in str(refusal.params.get("text"))
    assert fake.messages(OTHER_HANDLER) == []

    mark = fake.mark(OFFICER)
    fake.user(OFFICER, "Li").in_chat(DEPARTMENT_CHAT).press(alert, evidence)
    await fake.wait_for_text(OFFICER, "Evidence for case DX-", worker.timeout, mark)
    voice = await fake.wait_for_message(OFFICER, lambda m: "voice" in m.media, after=mark)
    photo = await fake.wait_for_message(OFFICER, lambda m: m.photo is not None, after=mark)
    document = await fake.wait_for_message(OFFICER, lambda m: m.document is not None, after=mark)
    assert voice.caption == "What happened, told by the worker"
    assert voice.media["voice"]["file_unique_id"] == files[0].file_unique_id
    assert files[1].file_unique_id in {size["file_unique_id"] for size in photo.photo or []}
    assert document.document is not None and document.document["file_name"] == "iou.pdf"
    assert all(not m.media for m in fake.messages(DEPARTMENT_CHAT)), "files go in private only"
    assert (await stored(database_url))[1] == [*kinds, "evidence_viewed"]
