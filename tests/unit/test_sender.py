"""The outbox sender: order, limits, retries, and what each Telegram error leads to."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.clock import SystemClock
from bot.ratelimit import Limits, SendLimiter
from bot.sender import Sender
from bot.transport import Rejected, RetryAfter, TransientError, Unauthorized, Unreachable
from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage, OutboxStatus, Worker
from tests.support.transport import FAST, ScriptedTransport, running


async def enqueue(db: Database, *messages: tuple[int, str]) -> None:
    async with db.transaction() as session:
        await outbox.enqueue(
            session,
            [(chat, "sendMessage", {"text": text}, None) for chat, text in messages],
            datetime.now(UTC),
        )


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.reader() as session:
        return list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def settled(db: Database, count: int) -> list[OutboxMessage]:
    async with asyncio.timeout(10):
        while True:
            current = await rows(db)
            done = [r for r in current if r.status not in (OutboxStatus.PENDING, "sending")]
            if len(done) >= count:
                return current
            await asyncio.sleep(0.02)


async def test_messages_to_each_chat_arrive_in_the_order_written(db: Database) -> None:
    await enqueue(db, *[(chat, f"{chat}-{n}") for n in range(5) for chat in (1, 2, -3)])
    transport = ScriptedTransport()
    async with running(db, transport):
        await settled(db, 15)
    for chat in (1, 2, -3):
        assert transport.delivered(chat) == [f"{chat}-{n}" for n in range(5)]


async def test_retry_after_pauses_all_sending_for_the_window(db: Database) -> None:
    await enqueue(db, (1, "a"), (2, "b"), (3, "c"))
    transport = ScriptedTransport(failures=[RetryAfter(0.5)])
    async with running(db, transport):
        await settled(db, 3)
    refused = transport.calls[0]
    assert refused.outcome == "RetryAfter"
    later = [c for c in transport.calls[1:] if c.at > refused.at]
    assert later and all(c.at >= refused.at + 0.5 for c in later if c.payload != refused.payload)
    assert sorted(transport.delivered()) == ["a", "b", "c"]


async def test_server_and_network_errors_are_retried_until_delivered(db: Database) -> None:
    await enqueue(db, (1, "hello"))
    transport = ScriptedTransport(
        failures=[TransientError("502"), TransientError("timeout", maybe_executed=True)]
    )
    async with running(db, transport) as sender:
        (row,) = await settled(db, 1)
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 3
    assert row.ambiguous == 1
    assert sender.stats["ambiguous"] == 1
    assert transport.delivered() == ["hello"]


async def test_a_blocked_worker_is_marked_unreachable_and_not_retried(db: Database) -> None:
    async with db.transaction() as session:
        session.add(Worker(telegram_user_id=9, chat_id=9, created_at=datetime.now(UTC)))
    await enqueue(db, (9, "hello"))
    transport = ScriptedTransport(failures=[Unreachable("Forbidden: bot was blocked by the user")])
    async with running(db, transport):
        (row,) = await settled(db, 1)
    assert row.status == OutboxStatus.UNREACHABLE
    assert len(transport.calls) == 1
    async with db.reader() as session:
        worker = (await session.exec(select(Worker))).one()
    assert worker.unreachable_since is not None


async def test_a_refused_request_is_recorded_and_later_messages_still_go(db: Database) -> None:
    await enqueue(db, (1, "bad"), (1, "good"))
    transport = ScriptedTransport(failures=[Rejected("Bad Request: can't parse entities")])
    async with running(db, transport):
        first, second = await settled(db, 2)
    assert (first.status, second.status) == (OutboxStatus.FAILED, OutboxStatus.SENT)
    assert first.error is not None and "parse entities" in first.error


async def test_an_unchanged_edit_counts_as_delivered(db: Database) -> None:
    await enqueue(db, (1, "same"))
    transport = ScriptedTransport(failures=[Rejected("Bad Request: message is not modified")])
    async with running(db, transport):
        (row,) = await settled(db, 1)
    assert row.status == OutboxStatus.SENT


async def test_no_private_chat_gets_more_than_its_limit_in_any_second(db: Database) -> None:
    settings = FAST.model_copy(update={"private_per_second": 4.0})
    await enqueue(db, *[(1, str(n)) for n in range(7)])
    transport = ScriptedTransport()
    async with running(db, transport, settings):
        await settled(db, 7)
    times = [c.at for c in transport.calls]
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 4
    assert transport.delivered(1) == [str(n) for n in range(7)]


async def test_an_exception_nobody_listed_releases_the_claim_and_the_row_is_retried(
    db: Database,
) -> None:
    await enqueue(db, (1, "hello"), (1, "after"))
    transport = ScriptedTransport(failures=[KeyError("a library bug")])
    async with running(db, transport):
        first, second = await settled(db, 2)
    assert (first.status, second.status) == (OutboxStatus.SENT, OutboxStatus.SENT)
    assert first.attempts == 2 and first.ambiguous == 1
    assert transport.delivered(1) == ["hello", "after"]


async def test_a_refused_token_stops_the_sender_and_releases_its_claim(db: Database) -> None:
    await enqueue(db, (1, "hello"))
    transport = ScriptedTransport(failures=[Unauthorized("Unauthorized")])
    sender = Sender(db, transport, FAST, SystemClock(), SendLimiter(Limits.of(FAST)))
    with pytest.raises(Unauthorized, match="refused BOT_TOKEN"):
        await asyncio.wait_for(sender.run(), 10)
    (row,) = await rows(db)
    assert row.status == OutboxStatus.PENDING and row.claimed_by is None
