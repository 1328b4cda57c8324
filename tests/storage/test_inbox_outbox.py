"""The storage guarantees the spine rests on."""

import asyncio
from datetime import timedelta

from sqlmodel import select

from storage import inbox, outbox
from storage.cases import next_case_number
from storage.db import Database
from storage.models import InboxEvent, OutboxMessage, OutboxStatus
from tests.support.clock import FakeClock


async def test_a_redelivered_update_is_stored_once(db: Database, clock: FakeClock) -> None:
    rows = [(7, 501, {"kind": "text"}), (8, 501, {"kind": "text"})]
    async with db.transaction() as session:
        assert await inbox.store(session, rows, clock.now()) == 2
    async with db.transaction() as session:
        assert await inbox.store(session, rows[:1], clock.now()) == 0
    async with db.reader() as session:
        assert len((await session.exec(select(InboxEvent))).all()) == 2


async def test_pending_events_come_in_update_order_per_chat(db: Database, clock: FakeClock) -> None:
    async with db.transaction() as session:
        await inbox.store(session, [(9, 501, {}), (3, 501, {}), (5, 777, {})], clock.now())
    async with db.reader() as session:
        first = await inbox.next_pending_for_chat(session, 501)
        assert first is not None and first.update_id == 3
        assert list(await inbox.pending_chats(session)) == [501, 777]


async def enqueue(db: Database, clock: FakeClock, *rows: tuple[int, str]) -> None:
    async with db.transaction() as session:
        await outbox.enqueue(
            session,
            [(chat, method, {"text": "hi"}, None, False) for chat, method in rows],
            clock.now(),
        )


async def claim(db: Database, clock: FakeClock, sender: str = "s1") -> list[OutboxMessage]:
    async with db.transaction() as session:
        await outbox.heartbeat(session, sender, clock.now())
        return list(await outbox.claim_due(session, clock.now(), 100, sender))


async def test_only_the_first_message_of_a_chat_is_claimed(db: Database, clock: FakeClock) -> None:
    await enqueue(db, clock, (1, "sendMessage"), (1, "sendMessage"), (2, "sendMessage"))
    await enqueue(db, clock, (1, "answerCallbackQuery"))
    claimed = await claim(db, clock)
    assert sorted((m.chat_id, m.method) for m in claimed) == [
        (1, "answerCallbackQuery"),
        (1, "sendMessage"),
        (2, "sendMessage"),
    ]
    assert await claim(db, clock) == []
    async with db.transaction() as session:
        first = next(m for m in claimed if m.chat_id == 1 and m.method == "sendMessage")
        assert first.id is not None
        await outbox.settle(session, first.id, OutboxStatus.SENT, clock.now())
    (second,) = await claim(db, clock)
    assert second.chat_id == 1 and second.id == (first.id or 0) + 1


async def test_a_message_waiting_for_retry_holds_back_the_chat(
    db: Database, clock: FakeClock
) -> None:
    await enqueue(db, clock, (1, "sendMessage"), (1, "sendMessage"))
    (first,) = await claim(db, clock)
    assert first.id is not None
    async with db.transaction() as session:
        await outbox.settle(
            session,
            first.id,
            OutboxStatus.PENDING,
            clock.now(),
            retry_at=clock.now() + timedelta(seconds=5),
        )
    assert await claim(db, clock) == []
    clock.advance(seconds=6)
    (again,) = await claim(db, clock)
    assert again.id == first.id and again.attempts == 2


async def test_claims_of_a_silent_sender_are_released_and_counted_as_ambiguous(
    db: Database, clock: FakeClock
) -> None:
    silence = timedelta(seconds=5)
    await enqueue(db, clock, (1, "sendMessage"), (2, "sendMessage"))
    claimed = await claim(db, clock, "dead")
    clock.advance(seconds=3)
    async with db.transaction() as session:
        await outbox.heartbeat(session, "alive", clock.now())
        assert await outbox.recover_orphaned_claims(session, clock.now(), silence) == 0
    clock.advance(seconds=3)
    async with db.transaction() as session:
        await outbox.heartbeat(session, "alive", clock.now())
        assert await outbox.recover_orphaned_claims(session, clock.now(), silence) == 2
    again = await claim(db, clock, "alive")
    assert {m.id for m in again} == {m.id for m in claimed}
    assert all(m.ambiguous == 1 for m in again)


async def test_a_live_senders_claims_are_never_taken(db: Database, clock: FakeClock) -> None:
    await enqueue(db, clock, (1, "sendMessage"))
    await claim(db, clock, "busy")
    for _ in range(10):
        clock.advance(seconds=4)
        async with db.transaction() as session:
            await outbox.heartbeat(session, "busy", clock.now())
            assert (
                await outbox.recover_orphaned_claims(session, clock.now(), timedelta(seconds=5))
                == 0
            )


async def test_concurrent_case_numbers_never_repeat(db: Database) -> None:
    async def take() -> str:
        async with db.transaction() as session:
            return await next_case_number(session, "DX", 2026)

    numbers = await asyncio.gather(*(take() for _ in range(20)))
    assert sorted(numbers) == [f"DX-2026-{n:06d}" for n in range(1, 21)]
