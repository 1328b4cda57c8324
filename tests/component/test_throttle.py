"""A user's budget of updates a minute: past it, kept as throttled with one notice a burst."""

from sqlmodel import col, select

from bot.pipeline import Pipeline
from handlers import Event, HandlerConfig
from handlers.events import EventKind
from handlers.throttle import SLOW_DOWN, ration
from storage.db import Database
from storage.models import InboxEvent, InboxStatus, OutboxMessage, Worker
from tests.support.clock import FakeClock

BUDGET = 5
FLOODER = 666
WORKER = 42
DEPARTMENT_GROUP = -1001000000101


NOW = 1_800_000_000
"""Unix time of the messages' ``date`` unless a test says otherwise."""


def text(update_id: int, user: int, chat: int | None = None, sent_at: int | None = None) -> Event:
    chat_id = user if chat is None else chat
    kind, chat_type = EventKind.TEXT, "private" if chat_id > 0 else "supergroup"
    return Event(update_id, kind, chat_id, user, chat_type=chat_type, text="hi", sent_at=sent_at)


def pipeline(db: Database, config: HandlerConfig, clock: FakeClock) -> Pipeline:
    return Pipeline(db, config, clock, lambda: None, budget_per_minute=BUDGET)


async def statuses(db: Database, user: int) -> list[str]:
    async with db.reader() as session:
        statement = (
            select(InboxEvent.status)
            .where(col(InboxEvent.user_id) == user)
            .order_by(col(InboxEvent.update_id))
        )
        return list((await session.exec(statement)).all())


async def notices(db: Database, chat: int) -> list[str]:
    async with db.reader() as session:
        statement = select(OutboxMessage).where(col(OutboxMessage.chat_id) == chat)
        rows = (await session.exec(statement)).all()
    return [r.payload.get("text", "") for r in rows]


def slow_down_count(texts: list[str]) -> int:
    return sum("发消息太快" in t or SLOW_DOWN in t for t in texts)


def test_updates_past_the_budget_are_throttled_and_the_first_of_a_burst_warned() -> None:
    events = [text(n, FLOODER) for n in range(1, 9)] + [text(100, WORKER)]
    rationed = ration(events, {FLOODER: (2, 0)}, BUDGET, fresh_since=NOW - 60)
    assert rationed.throttled == {4, 5, 6, 7, 8}
    assert [e.update_id for e in rationed.warn] == [4]


def test_a_burst_already_warned_in_the_last_minute_is_not_warned_again() -> None:
    rationed = ration([text(9, FLOODER)], {FLOODER: (7, 2)}, BUDGET, fresh_since=NOW - 60)
    assert rationed.throttled == {9} and rationed.warn == ()


def test_a_backlog_telegram_kept_while_the_bot_was_down_is_neither_counted_nor_throttled() -> None:
    backlog = [text(n, WORKER, sent_at=NOW - 3600 + n) for n in range(1, 200)]
    fresh = [text(300 + n, WORKER, sent_at=NOW) for n in range(BUDGET + 1)]
    rationed = ration(backlog + fresh, {}, BUDGET, fresh_since=NOW - 60)
    assert rationed.throttled == {300 + BUDGET}


async def test_a_redelivered_update_is_not_counted_twice_against_the_budget(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    bot = pipeline(db, config, clock)
    events = [text(n, WORKER) for n in range(BUDGET)]
    await bot.accept(events)
    await bot.accept(events)  # Telegram sends the same batch again (not confirmed in time)
    await bot.accept([text(BUDGET, FLOODER)])
    assert InboxStatus.THROTTLED not in await statuses(db, WORKER)


async def test_a_flood_is_stored_as_throttled_with_one_notice_and_others_are_unaffected(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    bot = pipeline(db, config, clock)
    for batch in range(4):  # a flood over several getUpdates batches
        await bot.accept([text(batch * 10 + n, FLOODER) for n in range(10)])
        await bot.accept([text(1000 + batch, WORKER)])
    await bot.drain()
    flood = await statuses(db, FLOODER)
    assert flood.count(InboxStatus.THROTTLED) == 40 - BUDGET
    assert InboxStatus.PENDING not in flood
    assert set(await statuses(db, WORKER)) == {InboxStatus.DONE}
    assert slow_down_count(await notices(db, FLOODER)) == 1
    assert slow_down_count(await notices(db, WORKER)) == 0


async def test_after_a_quiet_minute_the_user_is_served_again_and_a_new_burst_warned_again(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    bot = pipeline(db, config, clock)
    await bot.accept([text(n, FLOODER) for n in range(BUDGET + 3)])
    clock.advance(seconds=61)
    await bot.accept([text(100, FLOODER)])
    assert (await statuses(db, FLOODER))[-1] == InboxStatus.PENDING
    await bot.accept([text(200 + n, FLOODER) for n in range(BUDGET)])
    assert slow_down_count(await notices(db, FLOODER)) == 2


async def test_the_notice_is_in_the_language_the_worker_chose(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    async with db.transaction() as session:
        session.add(Worker(telegram_user_id=FLOODER, chat_id=FLOODER, created_at=clock.now()))
        worker = (await session.exec(select(Worker))).one()
        worker.language = "en"
    await pipeline(db, config, clock).accept([text(n, FLOODER) for n in range(BUDGET + 1)])
    assert SLOW_DOWN in await notices(db, FLOODER)


async def test_a_flood_in_groups_is_warned_only_in_a_group_the_bot_answers_in(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    bot = pipeline(db, config, clock)
    await bot.accept([text(n, FLOODER, chat=-1009999999000 - n) for n in range(BUDGET + 3)])
    clock.advance(minutes=2)
    await bot.accept([text(100 + n, FLOODER, chat=DEPARTMENT_GROUP) for n in range(BUDGET + 3)])
    assert slow_down_count(await notices(db, -1009999999000 - BUDGET)) == 0
    assert slow_down_count(await notices(db, DEPARTMENT_GROUP)) == 1
