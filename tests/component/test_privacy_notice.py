"""Notice before collection: what a worker is told, and agrees to, before their first report."""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType

import pytest
from sqlmodel import select

from bot.settings import DEFAULT_PRIVACY_NOTICE_FILE
from handlers import HandlerConfig
from handlers.context import Retention
from handlers.privacy_notice import PrivacyNotice, PrivacyNoticeError, load_privacy_notice
from storage.db import Database
from storage.models import Conversation, Worker
from tests.support.chat import WorkerChat, complete_report
from tests.support.clock import FakeClock
from tests.support.command_line import run
from tests.support.people import make_staff

NOTICE = "How your information is used"
USER = 501


@pytest.fixture
def chat(db: Database, config: HandlerConfig, clock: FakeClock) -> WorkerChat:
    return WorkerChat(db, config, clock, USER)


async def in_english(chat: WorkerChat) -> None:
    await chat.send("/start")
    await chat.press("English")


async def worker_of(db: Database) -> Worker:
    async with db.reader() as session:
        worker = (await session.exec(select(Worker).where(Worker.telegram_user_id == USER))).one()
    return worker


async def conversation_of(db: Database) -> Conversation | None:
    async with db.reader() as session:
        return await session.get(Conversation, USER)


def notice(version: str, en: str = "New notice, kept {inbox_days} days.") -> PrivacyNotice:
    return PrivacyNotice(version, MappingProxyType({"zh": "新的告知", "en": en}))


async def test_the_first_report_begins_with_the_notice_and_its_two_buttons(
    chat: WorkerChat, db: Database
) -> None:
    await in_english(chat)
    await chat.press("Report unpaid wages")
    text = chat.last.text
    assert NOTICE in text and "/mydata" in text and "/deletemydata" in text
    assert "discipline commission" in text and "evidence files and voice" in text
    assert chat.button_labels() == ["✅ I agree", "✖ No"]
    conversation = await conversation_of(db)
    assert conversation is not None and conversation.flow is None


async def test_agreeing_records_the_time_and_version_and_asks_the_first_question(
    chat: WorkerChat, db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await in_english(chat)
    await chat.press("Report unpaid wages")
    clock.advance(minutes=2)
    await chat.press("I agree")
    assert "What is your name?" in chat.last.text
    assert "Let's report your unpaid wages" in chat.messages[-2].text
    worker = await worker_of(db)
    assert worker.consent_version == config.privacy.version
    assert worker.consent_at == clock.now()


async def test_no_keeps_nothing_and_offers_the_menu(chat: WorkerChat, db: Database) -> None:
    await in_english(chat)
    await chat.send("/report")
    await chat.press("No")
    assert "Nothing was kept" in chat.last.text and "/help" in chat.last.text
    assert any("Report unpaid wages" in label for label in chat.button_labels())
    worker = await worker_of(db)
    assert (worker.consent_version, worker.consent_at, worker.name, worker.phone) == (
        None,
        None,
        None,
        None,
    )
    conversation = await conversation_of(db)
    assert conversation is not None and (conversation.flow, conversation.data) == (None, {})


async def test_no_pressed_after_agreeing_is_stale_and_the_draft_stays(
    chat: WorkerChat, db: Database
) -> None:
    await in_english(chat)
    await chat.press("Report unpaid wages")
    await chat.press("I agree")
    await chat.send("Wang Wu")
    await chat.press("✖ No")
    assert chat.answers[-1].text == "This button is no longer active."
    conversation = await conversation_of(db)
    assert conversation is not None and conversation.data["answers"] == {"name": "Wang Wu"}


async def test_a_worker_who_agreed_is_not_asked_again(chat: WorkerChat) -> None:
    await complete_report(chat)
    told = sum(NOTICE in m.text for m in chat.messages)
    await chat.press("Report unpaid wages")
    assert "What is your name?" in chat.last.text
    assert sum(NOTICE in m.text for m in chat.messages) == told == 1


async def test_a_new_version_of_the_notice_asks_again_before_the_next_report(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    first = WorkerChat(db, config, clock, USER)
    await complete_report(first)
    changed = WorkerChat(
        db, replace(config, privacy=notice("2027-01")), clock, USER, bench=first.bench
    )
    await changed.press("Report unpaid wages")
    assert changed.last.text == "New notice, kept 7 days."
    await changed.press("I agree")
    assert "What is your name?" in changed.last.text
    assert (await worker_of(db)).consent_version == "2027-01"


async def test_i_agree_pressed_under_an_older_notice_shows_the_new_one_and_records_nothing(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    first = WorkerChat(db, config, clock, USER)
    await in_english(first)
    await first.press("Report unpaid wages")
    changed = WorkerChat(
        db, replace(config, privacy=notice("2027-01")), clock, USER, bench=first.bench
    )
    await changed.press("I agree")  # the button of the first notice, still on screen
    assert changed.answers[-1].text == "The notice has changed. Please read the new one."
    assert changed.last.text == "New notice, kept 7 days."
    assert (await worker_of(db)).consent_version is None


async def test_a_chinese_worker_reads_the_notice_in_chinese_with_the_configured_retention(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    kept = replace(config, retention=Retention(inbox=timedelta(days=3), outbox=timedelta(days=5)))
    chat = WorkerChat(db, kept, clock, USER)
    await chat.send("/start")
    await chat.press("中文")
    await chat.press("投诉欠薪")
    assert "个人信息告知" in chat.last.text and "纪委监委" in chat.last.text
    assert "最多保存 3 天" in chat.last.text and "最多保存 5 天" in chat.last.text
    assert chat.button_labels() == ["✅ 同意", "✖ 不同意"]


async def test_the_operators_text_is_shown_as_written_not_as_html(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    chat = WorkerChat(db, replace(config, privacy=notice("1", en="Bureau <b> & Co")), clock, USER)
    await in_english(chat)
    await chat.press("Report unpaid wages")
    assert chat.last.text == "Bureau &lt;b&gt; &amp; Co"


async def test_privacy_shows_the_notice_in_a_private_chat_and_help_names_it(
    chat: WorkerChat, db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await in_english(chat)
    await chat.send("/privacy")
    assert NOTICE in chat.last.text
    assert (await worker_of(db)).consent_version is None
    await chat.send("/help")
    assert "/privacy" in chat.last.text
    group = WorkerChat(db, config, clock, 901, chat_id=-1001000000101)
    await group.send("/privacy")
    assert group.messages == []


async def test_staff_filing_for_a_walk_in_are_reminded_to_tell_the_worker_in_person(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    await make_staff(db, clock, 901)
    officer = WorkerChat(db, replace(config, default_language="en"), clock, 901)
    await officer.send("/file")
    assert "/privacy" in officer.messages[-2].text
    assert "What is the worker's name?" in officer.last.text


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "notice.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_ZH = '[zh]\ntext = "告知"\n'
GOOD_EN = '[en]\ntext = "Notice"\n'


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (GOOD_ZH + GOOD_EN, '"version"'),
        ('version = " "\n' + GOOD_ZH + GOOD_EN, '"version"'),
        ('version = "1"\n' + GOOD_EN, "[zh] text"),
        ('version = "1"\n' + GOOD_ZH + '[en]\ntext = "  "\n', "[en] text"),
        ('version = "1"\n' + GOOD_ZH + '[en]\ntext = "kept {days} days"\n', "{days}"),
        ('version = "1"\n[zh\n', "not valid TOML"),
    ],
)
def test_a_bad_notice_file_is_refused_with_one_line_naming_the_file_and_the_fault(
    tmp_path: Path, content: str, named: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(PrivacyNoticeError) as refused:
        load_privacy_notice(path)
    message = str(refused.value)
    assert str(path) in message and named in message and "\n" not in message


def test_start_up_refuses_a_bad_notice_file_with_one_line(tmp_path: Path) -> None:
    write(tmp_path, 'version = "1"\n' + GOOD_EN)
    result = run(tmp_path, "run", BOT_TOKEN="1:x", PRIVACY_NOTICE_FILE="notice.toml")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "notice.toml" in lines[0] and "[zh] text" in lines[0], result.stderr
    missing = run(tmp_path, "run", BOT_TOKEN="1:x", PRIVACY_NOTICE_FILE="nowhere.toml")
    assert missing.returncode == 2 and "nowhere.toml: file not found" in missing.stderr


def test_a_notice_too_long_for_one_message_is_refused_at_start_up(tmp_path: Path) -> None:
    path = tmp_path / "notice.toml"
    long = "很长的告知。" * 600
    path.write_text(f'version = "1"\n[zh]\ntext = "{long}"\n[en]\ntext = "Short."\n', "utf-8")
    with pytest.raises(PrivacyNoticeError, match=r"\[zh\] text is 3600 characters; at most 3500"):
        load_privacy_notice(path)


def test_the_default_notice_states_every_retention_period_as_configured() -> None:
    text = load_privacy_notice(DEFAULT_PRIVACY_NOTICE_FILE).text(
        "en", inbox_days=7, outbox_days=8, draft_days=30, closed_case_days=365
    )
    for said in ("365 days after it is closed", "after 30 days", "at most 7 days", "at most 8"):
        assert said in text
