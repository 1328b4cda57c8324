"""A worker tells what happened by voice and sends evidence: what intake takes, what it refuses
(and how it says so), and how the review and the department's alert show the files."""

from dataclasses import replace

import pytest
from sqlmodel import select

from handlers import HandlerConfig
from handlers.case_file import MAX_BYTES
from handlers.events import EventKind
from storage.db import Database
from storage.models import Attachment, AttachmentRole, Case, Conversation, FetchStatus
from tests.support.chat import Bench, WorkerChat, complete_report
from tests.support.clock import FakeClock

GROUP = -1001000000101  # 安定区住建局, where an Anding construction report goes
CANNOT_READ = "I cannot read stickers or voice messages. Please type your answer."


@pytest.fixture
def bench(db: Database, config: HandlerConfig, clock: FakeClock) -> Bench:
    return Bench(db, replace(config, default_language="en"), clock)


@pytest.fixture
def chat(bench: Bench) -> WorkerChat:
    return bench.chat(501)


async def up_to_what_happened(chat: WorkerChat) -> None:
    """A report answered in English up to the question "what happened"."""
    await chat.send("/start")
    await chat.press("English")
    await chat.begin_report()
    await chat.send("Wang Wu")
    await chat.send("13812345678")
    await chat.press("Anding")
    await chat.press("Construction")
    for answer in ("Xijiang Co-op", "Greenhouse repair", "Xijiang village", "5万", "3", "2026-03"):
        await chat.send(answer)
    assert "what happened?" in chat.last.text


async def draft(db: Database) -> dict[str, object]:
    async with db.reader() as session:
        answers: dict[str, object] = (
            (await session.exec(select(Conversation))).one().data["answers"]
        )
        return answers


async def attachments(db: Database) -> list[Attachment]:
    async with db.reader() as session:
        return list((await session.exec(select(Attachment).order_by(Attachment.id))).all())


async def the_case(db: Database) -> Case:
    async with db.reader() as session:
        return (await session.exec(select(Case))).one()


async def test_a_voice_message_answers_what_happened_and_is_filed_as_the_story(
    chat: WorkerChat, db: Database, clock: FakeClock
) -> None:
    await up_to_what_happened(chat)
    await chat.send_voice(42)
    assert "I have your voice message" in chat.last.text
    assert "Current answer: 🎤 voice message, 0:42" in chat.last.text
    await chat.press("Keep current answer")
    assert "Do you have evidence?" in chat.last.text
    await chat.press("Skip")
    assert "<b>What happened:</b> 🎤 voice message, 0:42" in chat.last.text
    await chat.press("Submit report")

    (story,) = await attachments(db)
    assert (story.role, story.kind, story.duration) == (AttachmentRole.STORY, "voice", 42)
    assert (story.mime_type, story.size) == ("audio/ogg", 84_000)
    assert story.fetch_status == FetchStatus.PENDING and story.fetch_due_at == clock.now()
    assert (await the_case(db)).account == ""
    (alert,) = [m for m in chat.others if m.chat_id == GROUP]
    assert "🎤 voice message, 0:42" in alert.text
    assert any("📎 Evidence" in b.text for row in alert.buttons for b in row)


async def test_typed_words_after_a_voice_message_go_with_it(chat: WorkerChat, db: Database) -> None:
    await up_to_what_happened(chat)
    await chat.send_voice(75)
    await chat.send("Boss Liu promised 300 a day.")
    assert "Do you have evidence?" in chat.last.text
    await chat.press("Skip")
    assert "🎤 voice message, 1:15\nBoss Liu promised 300 a day." in chat.last.text
    await chat.press("Submit report")
    assert (await the_case(db)).account == "Boss Liu promised 300 a day."
    (story,) = await attachments(db)
    assert story.role == AttachmentRole.STORY


async def test_a_voice_message_added_to_a_typed_story_keeps_the_typed_words(
    chat: WorkerChat, db: Database
) -> None:
    await complete_report(chat, submit=False, account="We built 70 greenhouses.")
    await chat.press("✏️ What happened")
    await chat.send_voice(9)
    await chat.press("Keep current answer")
    review = chat.last.text
    assert "Please check your report" in review
    assert "🎤 voice message, 0:09\nWe built 70 greenhouses." in review


async def test_the_voice_messages_can_be_taken_back(chat: WorkerChat, db: Database) -> None:
    await complete_report(chat, submit=False)
    await chat.press("✏️ What happened")
    await chat.send_voice(9)
    await chat.press("Keep current answer")
    await chat.press("✏️ What happened")
    await chat.press("Remove the voice messages")
    assert "story" not in await draft(db)
    assert "🎤" not in chat.last.text and "Current answer: We repaired" in chat.last.text


async def test_an_audio_file_is_taken_as_the_story_too(chat: WorkerChat, db: Database) -> None:
    await up_to_what_happened(chat)
    await chat.send_audio("boss-call.m4a", 95)
    await chat.press("Keep current answer")
    await chat.press("Skip")
    assert "🎤 voice message, 1:35" in chat.last.text


@pytest.mark.parametrize("step", ["Name", "Phone", "Amount owed", "Workers owed", "Employer"])
async def test_a_voice_message_where_words_or_a_number_are_needed_is_explained(
    chat: WorkerChat, db: Database, step: str
) -> None:
    await complete_report(chat, submit=False)
    await chat.press(f"✏️ {step}")
    before = await draft(db)
    await chat.send_voice()
    assert CANNOT_READ in chat.last.text
    assert await draft(db) == before


async def test_the_review_counts_the_evidence_by_kind(chat: WorkerChat, db: Database) -> None:
    await complete_report(chat, submit=False)
    await chat.press("✏️ Evidence")
    await chat.send_photo()
    await chat.send_photo()
    assert "Received so far: 2 of 10 (2 photos)." in chat.last.text
    await chat.send_document("contract.pdf")
    await chat.send_voice(30)
    await chat.press("Done")
    assert "<b>Evidence:</b> 2 photos, 1 document, 1 voice message" in chat.last.text
    await chat.press("Submit report")

    files = await attachments(db)
    assert [(f.kind, f.role) for f in files] == [
        ("photo", AttachmentRole.EVIDENCE),
        ("photo", AttachmentRole.EVIDENCE),
        ("document", AttachmentRole.EVIDENCE),
        ("voice", AttachmentRole.EVIDENCE),
    ]
    assert (files[2].file_name, files[2].mime_type, files[2].size) == (
        "contract.pdf",
        "application/pdf",
        48_000,
    )
    (alert,) = [m for m in chat.others if m.chat_id == GROUP]
    assert "Evidence: 2 photos, 1 document, 1 voice message" in alert.text


@pytest.mark.parametrize(
    ("send", "expected"),
    [
        ("big document", "larger than 20 MB"),
        ("big voice message", "larger than 20 MB"),
        ("program", "I cannot keep this kind of file"),
    ],
)
async def test_a_file_the_case_file_cannot_take_is_refused_and_nothing_is_lost(
    chat: WorkerChat, db: Database, send: str, expected: str
) -> None:
    await complete_report(chat, submit=False)
    await chat.press("✏️ Evidence")
    await chat.send_photo()
    before = await draft(db)
    if send == "big document":
        await chat.send_document("scan.pdf", size=MAX_BYTES + 1)
    elif send == "big voice message":
        await chat.send_voice(3000, size=MAX_BYTES + 1)
    else:
        await chat.send_document("tool.exe", mime_type="application/x-msdownload")
    assert expected in chat.last.text
    assert "Everything you sent before is kept." in chat.last.text
    assert "Received so far: 1 of 10 (1 photo)." in chat.last.text
    assert await draft(db) == before


async def test_a_story_too_long_to_receive_is_refused_at_its_own_question(
    chat: WorkerChat, db: Database
) -> None:
    await up_to_what_happened(chat)
    await chat.send_voice(3000, size=MAX_BYTES + 1)
    assert "larger than 20 MB" in chat.last.text
    assert "what happened?" in chat.last.text
    assert "story" not in await draft(db)


async def test_a_report_holds_ten_files_with_the_story_counted(
    chat: WorkerChat, db: Database
) -> None:
    await up_to_what_happened(chat)
    await chat.send_voice(20)
    await chat.press("Keep current answer")
    for _ in range(9):
        await chat.send_photo()
    assert "Please check your report" in chat.last.text
    await chat.press("✏️ Evidence")
    before = await draft(db)
    await chat.send_document()
    assert "You have already sent 10 files, the most one report can hold." in chat.last.text
    assert await draft(db) == before
    await chat.press("Done")
    await chat.press("Submit report")
    assert len(await attachments(db)) == 10


async def test_a_refusal_is_in_the_workers_language(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    chat = WorkerChat(db, config, clock)
    await chat.send("/start")
    await chat.press("中文")
    await chat.begin_report("投诉欠薪")
    await chat.event(EventKind.VOICE, file_id="v-1", file_unique_id="u-1", duration=5)
    assert "我看不懂表情和语音，请打字回答。" in chat.last.text


async def test_the_same_file_sent_twice_is_kept_once(chat: WorkerChat, db: Database) -> None:
    await complete_report(chat, submit=False)
    await chat.press("✏️ Evidence")
    for _ in range(2):
        await chat.event(
            EventKind.DOCUMENT,
            file_id="doc-1",
            file_unique_id="u-doc-1",
            file_name="iou.pdf",
            mime_type="application/pdf",
        )
    assert "Received so far: 1 of 10 (1 document)." in chat.last.text


async def test_a_story_taken_back_entirely_is_asked_for_before_submitting(
    chat: WorkerChat, db: Database
) -> None:
    await up_to_what_happened(chat)
    await chat.send_voice(12)
    await chat.press("Keep current answer")
    await chat.press("Skip")
    await chat.press("✏️ What happened")
    await chat.press("Remove the voice messages")
    await chat.press("« Back")
    assert "<b>What happened:</b> —" in chat.last.text
    await chat.press("Submit report")
    assert "Please answer this question before submitting the report." in chat.last.text
    assert "what happened?" in chat.last.text
    async with db.reader() as session:
        assert (await session.exec(select(Case))).first() is None
    await chat.send("The boss left without paying.")
    assert "Please check your report" in chat.last.text
