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
from storage.models import DueTask, LostGroup, OutboxMessage, OutboxStatus, Worker
from storage.people import LOST_GROUP
from tests.support.clock import OffsetClock
from tests.support.transport import FAST, ScriptedTransport, running
from tests.support.waiting import until


async def enqueue(db: Database, *messages: tuple[int, str]) -> None:
    async with db.transaction() as session:
        await outbox.enqueue(
            session,
            [(chat, "sendMessage", {"text": text}, None, False) for chat, text in messages],
            datetime.now(UTC),
        )


async def rows(db: Database) -> list[OutboxMessage]:
    async with db.reader() as session:
        return list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def settled(db: Database, count: int) -> list[OutboxMessage]:
    async with asyncio.timeout(30):
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


async def test_a_group_that_removed_the_bot_is_flagged_once_whatever_telegram_says(
    db: Database,
) -> None:
    kicked, deleted = -1001000000101, -1001000000102
    await enqueue(db, (kicked, "a"), (kicked, "b"))
    forbidden = Unreachable("Forbidden: bot was kicked from the group chat")
    async with running(db, ScriptedTransport(failures=[forbidden, forbidden])):
        await settled(db, 2)
    await enqueue(db, (deleted, "c"), (-3, "d"))
    transport = ScriptedTransport(
        failures=[Unreachable("Bad Request: chat not found")],
        fails_for=lambda method, chat: chat == deleted,
    )
    async with running(db, transport):
        await settled(db, 4)
    async with db.reader() as session:
        flagged = sorted((await session.exec(select(LostGroup.chat_id))).all())
        alerts = (await session.exec(select(DueTask).where(DueTask.kind == LOST_GROUP))).all()
    assert flagged == sorted([kicked, deleted])
    assert sorted(task.subject for task in alerts) == sorted(f"chat:{c}" for c in flagged)
    assert transport.delivered(-3) == ["d"]


async def test_a_message_delivered_to_a_flagged_group_clears_its_flag(db: Database) -> None:
    """A refusal once (a "chat not found" around a supergroup upgrade) must not leave the group
    flagged while it receives messages: a later real removal would go untold."""
    group = -1001000000101
    await enqueue(db, (group, "refused"), (group, "delivered"))
    transport = ScriptedTransport(failures=[Unreachable("Bad Request: chat not found")])
    async with running(db, transport):
        await settled(db, 2)
    async with db.reader() as session:
        flagged = (await session.exec(select(LostGroup.chat_id))).all()
        alerts = (await session.exec(select(DueTask).where(DueTask.kind == LOST_GROUP))).all()
    assert transport.delivered(group) == ["delivered"]
    assert (list(flagged), [task.status for task in alerts]) == ([], ["cancelled"])


async def test_an_outcome_the_database_could_not_take_at_once_is_recorded_when_it_returns(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The settle is tried again until the database takes it, with the outcome it had."""
    await enqueue(db, (1, "bad"), (1, "good"))
    real_settle, failures = outbox.settle, [ConnectionResetError(104, "Connection reset")] * 2

    async def flaky_settle(*args: object, **kwargs: object) -> None:
        if failures:
            raise failures.pop()
        await real_settle(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(outbox, "settle", flaky_settle)
    transport = ScriptedTransport(failures=[Rejected("Bad Request: can't parse entities")])
    async with running(db, transport):
        first, second = await settled(db, 2)
    assert (first.status, second.status) == (OutboxStatus.FAILED, OutboxStatus.SENT)
    assert first.error is not None and "parse entities" in first.error


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


async def test_senders_whose_clocks_differ_by_20_seconds_send_nothing_twice(db: Database) -> None:
    """Each judges the other's heartbeat on the database's clock, not on its own."""
    chats, per_chat = 40, 10
    await enqueue(
        db, *[(chat, f"{chat}-{n}") for n in range(per_chat) for chat in range(1, chats + 1)]
    )
    transport = ScriptedTransport(latency=0.3)
    async with (
        running(db, transport, clock=OffsetClock(10)) as ahead,
        running(db, transport, clock=OffsetClock(-10)) as behind,
    ):
        await settled(db, chats * per_chat)
    delivered = transport.delivered()
    print(f"\n{len(delivered)} sent, {len(delivered) - len(set(delivered))} twice")
    assert len(delivered) - len(set(delivered)) == 0
    assert ahead.stats["ambiguous"] == behind.stats["ambiguous"] == 0
    assert ahead.stats["sent"] > 0 and behind.stats["sent"] > 0


async def test_messages_waiting_for_their_groups_window_hold_no_slot(db: Database) -> None:
    """The flood of the issue: 25 messages to each of 40 groups (20 a minute each), then one
    reply to a worker; the reply goes out while the groups still wait for their windows."""
    settings = FAST.model_copy(update={"group_per_minute": 20.0})
    groups = range(-40, 0)
    await enqueue(db, *[(group, f"{group}-{n}") for n in range(25) for group in groups])
    await enqueue(db, (7, "help"))
    transport = ScriptedTransport()

    async def replied() -> bool:
        return "help" in transport.delivered(7)

    async with running(db, transport, settings):
        await until(replied, 30, every=0.05, what="the worker's reply sent")
        flood_sent = len(transport.delivered()) - 1
    print(f"\nthe worker's reply went out after {flood_sent} of the flood's 1000 messages")
    assert flood_sent <= 40 * 20
    left = await rows(db)
    assert sum(r.status == OutboxStatus.PENDING for r in left) == 1000 - flood_sent
    assert all(r.status != "sending" and r.ambiguous == 0 for r in left)


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
