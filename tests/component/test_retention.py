"""What workers typed is kept no longer than its purpose: handled updates, delivered messages,
private messages and uploads, a discarded draft, the database file itself."""

import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.scheduler import run_due_work
from handlers import HandlerConfig
from handlers import retention as retention_work
from handlers.context import Retention, Unit
from handlers.replies import Kept, SendDocument, SendMessage, SendVoice, Upload
from handlers.retention import plan_retention
from storage import inbox, outbox
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (
    Conversation,
    DueTask,
    InboxEvent,
    InboxStatus,
    OutboxMessage,
    OutboxStatus,
)
from storage.repositories import ports
from tests.support.chat import WorkerChat
from tests.support.clock import FakeClock
from tests.support.stored import queued, stored_update

WORKER_CHAT = 501
OTHER_CHAT = 502
SAID = {"text": "Wang Wu, 13812345678", "user_id": WORKER_CHAT}


async def delivered(db: Database, message_id: int, at: datetime) -> None:
    async with db.transaction() as session:
        await outbox.settle(session, message_id, OutboxStatus.SENT, at, telegram_message_id=77)


async def update_ids(db: Database) -> list[int]:
    async with db.reader() as session:
        statement = select(InboxEvent.update_id).order_by(col(InboxEvent.update_id))
        return list((await session.exec(statement)).all())


async def message(db: Database, message_id: int) -> OutboxMessage:
    async with db.reader() as session:
        row = await session.get(OutboxMessage, message_id)
        assert row is not None
        return row


async def draft_with_a_name(db: Database, config: HandlerConfig, clock: FakeClock) -> WorkerChat:
    """A worker half-way through a report: their name typed, nothing submitted."""
    chat = WorkerChat(db, replace(config, default_language="en"), clock, WORKER_CHAT)
    await chat.send("/start")
    await chat.press("English")
    await chat.begin_report()
    await chat.send("Wang Wu")
    return chat


async def sweep(db: Database, config: HandlerConfig, clock: FakeClock) -> None:
    async with db.transaction() as session:
        await plan_retention(Unit(session, config, clock.now(), ports=ports(session)))
    await run_due_work(db, config, clock, limit=100)


async def test_handled_updates_go_after_the_inbox_retention_and_pending_ones_stay(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    start = clock.now()
    await stored_update(db, 1, WORKER_CHAT, start, InboxStatus.DONE)
    await stored_update(db, 2, WORKER_CHAT, start, InboxStatus.FAILED)
    await stored_update(db, 3, WORKER_CHAT, start, InboxStatus.THROTTLED)
    await stored_update(db, 4, WORKER_CHAT, start, InboxStatus.PENDING)
    clock.advance(days=6, hours=23)
    await stored_update(db, 5, WORKER_CHAT, clock.now(), InboxStatus.DONE)
    await sweep(db, config, clock)
    assert await update_ids(db) == [1, 2, 3, 4, 5]
    clock.advance(days=1)
    await sweep(db, config, clock)
    assert await update_ids(db) == [4, 5]


async def test_sent_messages_lose_their_text_after_the_outbox_retention_keeping_what_edits_need(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    sent = await queued(db, SendMessage(WORKER_CHAT, "Name: Wang Wu", ref="review"), clock.now())
    await delivered(db, sent, clock.now())
    waiting = await queued(db, SendMessage(WORKER_CHAT, "Phone: 138 1234 5678"), clock.now())
    clock.advance(days=3)
    await sweep(db, config, clock)
    assert (await message(db, sent)).payload["text"] == "Name: Wang Wu"
    clock.advance(days=4, seconds=1)
    await sweep(db, config, clock)
    forgotten = await message(db, sent)
    assert forgotten.payload == {} and forgotten.forgotten_at == clock.now()
    assert (forgotten.ref, forgotten.telegram_message_id) == ("review", 77)
    assert (await message(db, waiting)).payload["text"] == "Phone: 138 1234 5678"


@pytest.mark.parametrize(
    "private",
    [
        SendMessage(WORKER_CHAT, "Contact for case DX-1: Wang Wu, 138 1234 5678", private=True),
        SendDocument(WORKER_CHAT, Upload("cases.xlsx", b"Wang Wu 13812345678")),
        SendVoice(WORKER_CHAT, Kept("voice-id", "ab/ab12.ogg"), caption="What happened"),
    ],
    ids=["contact", "upload", "evidence"],
)
async def test_a_private_message_or_a_file_is_forgotten_the_moment_it_is_delivered(
    db: Database, clock: FakeClock, private: SendMessage | SendDocument | SendVoice
) -> None:
    ordinary = await queued(db, SendMessage(WORKER_CHAT, "Case DX-1 was accepted."), clock.now())
    kept = await queued(db, private, clock.now())
    assert (await message(db, kept)).payload != {}
    for sent in (ordinary, kept):
        await delivered(db, sent, clock.now())
    assert (await message(db, kept)).payload == {}
    assert (await message(db, kept)).forgotten_at == clock.now()
    assert (await message(db, ordinary)).payload["text"] == "Case DX-1 was accepted."


async def test_a_long_backlog_is_forgotten_in_batches_each_planning_the_next(
    db: Database, config: HandlerConfig, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention_work, "BATCH", 3)
    for update_id in range(1, 9):
        await stored_update(db, update_id, WORKER_CHAT, clock.now(), InboxStatus.DONE)
    clock.advance(days=8)
    await sweep(db, config, clock)
    assert await update_ids(db) == []
    async with db.reader() as session:
        subjects = (
            await session.exec(
                select(DueTask.subject)
                .where(DueTask.kind == retention_work.RETENTION)
                .order_by(col(DueTask.id))
            )
        ).all()
    assert subjects == [f"retention:2026-12-04:{n}" for n in range(3)]


async def test_the_retention_periods_are_the_operators_to_choose(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    config = replace(
        config, retention=Retention(inbox=timedelta(days=1), outbox=timedelta(days=30))
    )
    await stored_update(db, 1, WORKER_CHAT, clock.now(), InboxStatus.DONE)
    sent = await queued(db, SendMessage(WORKER_CHAT, "Name: Wang Wu"), clock.now())
    await delivered(db, sent, clock.now())
    clock.advance(days=2)
    await sweep(db, config, clock)
    assert await update_ids(db) == []
    assert (await message(db, sent)).payload["text"] == "Name: Wang Wu"


async def test_a_discarded_draft_leaves_nothing_in_the_inbox_or_the_outbox(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    chat = await draft_with_a_name(db, config, clock)
    await stored_update(db, 1, WORKER_CHAT, clock.now(), InboxStatus.DONE)
    await stored_update(db, 2, OTHER_CHAT, clock.now(), InboxStatus.DONE)
    review = await queued(db, SendMessage(WORKER_CHAT, "Name: Wang Wu"), clock.now())
    await delivered(db, review, clock.now())
    unsent = await queued(db, SendMessage(WORKER_CHAT, "Name: Wang Wu, again"), clock.now())
    elsewhere = await queued(db, SendMessage(OTHER_CHAT, "Name: Li Si"), clock.now())
    await delivered(db, elsewhere, clock.now())

    await chat.send("/cancel")
    await chat.press("Yes, discard")

    assert "The report was discarded." in chat.texts_since(0)
    assert await update_ids(db) == [2]
    assert (await message(db, review)).payload == {}
    assert (await message(db, unsent)).forget_on_delivery
    assert (await message(db, elsewhere)).payload["text"] == "Name: Li Si"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_sqlite_database_and_its_new_folder_are_the_bots_users_alone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "arrears-bot.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    db = Database(url)
    await upgrade(url)
    async with db.transaction() as session:
        await inbox.store(session, [(1, WORKER_CHAT, SAID)], datetime(2026, 12, 1, tzinfo=UTC))
    await db.dispose()
    assert mode(path.parent) == 0o700
    files = list(path.parent.iterdir())
    assert path in files
    assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}


async def test_an_existing_database_file_readable_by_others_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "arrears-bot.sqlite3"
    path.touch()
    path.chmod(0o644)
    folder = mode(tmp_path)
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.dispose()
    assert mode(path) == 0o600
    assert mode(tmp_path) == folder, "a folder the operator chose is left as it is"


async def test_a_draft_left_half_way_is_cleared_after_the_draft_retention(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    chat = await draft_with_a_name(db, config, clock)
    clock.advance(days=29)
    await sweep(db, config, clock)
    assert (await draft(db)).data["answers"]["name"] == "Wang Wu"
    clock.advance(days=1, seconds=1)
    await sweep(db, config, clock)
    cleared = await draft(db)
    assert (cleared.flow, cleared.step, cleared.data) == (None, None, {})
    await chat.send("Li Si")
    assert "📝 Report unpaid wages" in chat.button_labels(), "the worker is back at the menu"


async def draft(db: Database) -> Conversation:
    async with db.reader() as session:
        found = await session.get(Conversation, WORKER_CHAT)
        assert found is not None
        return found
