"""A worker's evidence reaches the case file store, through both drivers and both databases:
kept with the right hashes, fetched again after a failed download, and sent from the store
once Telegram no longer knows the file ids."""

import hashlib
import stat
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from handlers.replies import Kept
from storage import outbox
from storage.db import Database
from storage.models import Attachment, FetchStatus
from tests.e2e.botprocess import BotProcess
from tests.e2e.worker import TelegramWorker
from tests.fake_bot_api import FakeBotAPI
from tests.support.waiting import until

# Every driver and mode takes its own path here: downloading files (getFile).
pytestmark = pytest.mark.every_door

PDF = b"%PDF-1.4\n% IOU: Xijiang Co-op owes Wang Wu 195000 yuan\n%%EOF\n"
VOICE = b"OggS\x00\x02" + bytes(range(200))
OFFICER = 7900


@pytest.fixture
def mode() -> str:
    """Receiving is not what this module tests: polling only."""
    return "polling"


@pytest.fixture
def bot_env(tmp_path: Path) -> dict[str, str]:
    return {"EVIDENCE_DIR": str(tmp_path / "evidence"), "EVIDENCE_RETRY_BASE_SECONDS": "0.3"}


async def submit_with_evidence(fake: FakeBotAPI, worker: TelegramWorker) -> tuple[str, str, str]:
    """A report told by voice, with a photo and a PDF; their Telegram file ids."""
    await worker.begin_report()
    for text, expect in [
        ("Wang Wu", "phone number"),
        ("138 1234 5678", "Choose the county"),
    ]:
        await worker.say(text, expect)
    await worker.tap("Anding", "What kind of work")
    await worker.tap("Construction", "Who owes you")
    for text, expect in [
        ("Xijiang Co-op", "What is the project called"),
        ("Greenhouse repair", "Where is the site"),
        ("Xijiang village", "How much are you owed"),
        ("19.5万", "How many workers"),
    ]:
        await worker.say(text, expect)
    await worker.tap("Just me", "Since when")
    await worker.say("2021年5月", "In a few sentences")
    mark = fake.mark(worker.chat_id)
    voice = worker.user.send_voice(3, content=VOICE)["message"]["voice"]["file_id"]
    await fake.wait_for_text(worker.chat_id, "I have your voice message", after=mark)
    await worker.tap("Keep current answer", "Do you have evidence")
    mark = fake.mark(worker.chat_id)
    photo = worker.user.send_photo()["message"]["photo"][-1]["file_id"]
    await fake.wait_for_text(worker.chat_id, "Received so far: 1", after=mark)
    mark = fake.mark(worker.chat_id)
    sent = worker.user.send_document("iou.pdf", content=PDF)["message"]["document"]["file_id"]
    await fake.wait_for_text(worker.chat_id, "Received so far: 2", after=mark)
    await worker.tap("Done", "Please check your report")
    await worker.tap("Submit report", "Your report was received")
    return str(voice), str(photo), str(sent)


async def attachments(database_url: str) -> Sequence[Attachment]:
    db = Database(database_url)
    try:
        async with db.reader() as session:
            return (await session.exec(select(Attachment).order_by(col(Attachment.id)))).all()
    finally:
        await db.dispose()


async def all_stored(database_url: str, count: int) -> Sequence[Attachment]:
    async def done() -> bool:
        rows = await attachments(database_url)
        return len(rows) == count and all(r.fetch_status == FetchStatus.STORED for r in rows)

    await until(done, 30, what=f"{count} files stored")
    return await attachments(database_url)


async def test_a_photo_a_pdf_and_a_voice_message_are_kept_with_their_hashes(
    fake: FakeBotAPI, bot: BotProcess, database_url: str, tmp_path: Path
) -> None:
    voice, photo, pdf = await submit_with_evidence(fake, TelegramWorker(fake, 7301))
    rows = await all_stored(database_url, 3)
    assert {row.file_id for row in rows} == {voice, photo, pdf}
    for row in rows:
        content = fake.file(row.file_id).data
        assert row.sha256 == hashlib.sha256(content).hexdigest()
        assert row.stored_size == len(content)
        assert row.stored_path is not None and row.sha256 in row.stored_path
        kept = tmp_path / "evidence" / row.stored_path
        assert kept.read_bytes() == content
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "evidence").stat().st_mode) == 0o700


async def test_a_failed_download_is_tried_again_and_then_kept(
    fake: FakeBotAPI, bot: BotProcess, database_url: str
) -> None:
    fake.fail_downloads(2, answer="html 502")
    voice, photo, pdf = await submit_with_evidence(fake, TelegramWorker(fake, 7302))
    rows = await all_stored(database_url, 3)
    assert sum(row.fetch_attempts for row in rows) == 2
    assert len(fake.downloads) == 5 and set(fake.downloads) == {voice, photo, pdf}
    assert all(
        row.sha256 == hashlib.sha256(fake.file(row.file_id).data).hexdigest() for row in rows
    )


async def test_a_file_whose_id_expired_is_sent_from_the_store(
    fake: FakeBotAPI, bot: BotProcess, database_url: str
) -> None:
    voice, _, pdf = await submit_with_evidence(fake, TelegramWorker(fake, 7303))
    rows = {row.file_id: row for row in await all_stored(database_url, 3)}
    fake.expire_file(pdf)
    fake.expire_file(voice)
    db = Database(database_url)
    try:
        async with db.transaction() as session:
            kept_pdf = Kept(pdf, rows[pdf].stored_path, "iou.pdf").to_json()
            kept_voice = Kept(voice, rows[voice].stored_path).to_json()
            await outbox.enqueue(
                session,
                [
                    (OFFICER, "sendDocument", {"document": kept_pdf}, None, False),
                    (
                        OFFICER,
                        "sendVoice",
                        {"voice": kept_voice, "caption": "🎤 0:03"},
                        None,
                        False,
                    ),
                ],
                datetime.now(UTC),
            )
    finally:
        await db.dispose()
    document = await fake.wait_for_message(OFFICER, lambda m: m.document is not None)
    assert document.document is not None and document.document["file_id"] != pdf
    assert fake.file(document.document["file_id"]).data == PDF
    spoken = await fake.wait_for_message(OFFICER, lambda m: "voice" in m.media)
    assert spoken.media["voice"]["file_id"] != voice
    assert fake.file(spoken.media["voice"]["file_id"]).data == VOICE
    refused = [call for call in fake.calls("sendDocument") if call.status == 400]
    assert len(refused) == 1
