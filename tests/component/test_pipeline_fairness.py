"""Pipeline slots are shared in turns: a chat's backlog never keeps the others waiting."""

from typing import Any

import pytest

import bot.pipeline
from bot.pipeline import Pipeline
from handlers import Event, HandlerConfig
from handlers.events import EventKind
from storage.db import Database
from tests.support.clock import FakeClock

BACKLOG = 20
BYSTANDER = 900


def help_command(update_id: int, chat_id: int) -> Event:
    return Event(update_id, EventKind.COMMAND, chat_id, chat_id, text="/help", command="help")


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The chat of each event the pipeline hands to the handlers, in order."""
    order: list[int] = []
    handle = bot.pipeline.handle_event

    async def recording(*args: Any) -> Any:
        order.append(args[2].chat_id)
        return await handle(*args)

    monkeypatch.setattr(bot.pipeline, "handle_event", recording)
    return order


async def test_a_bystander_is_handled_before_any_of_four_backlogs_is_a_quarter_through(
    db: Database, config: HandlerConfig, clock: FakeClock, handled: list[int]
) -> None:
    flooders = [101, 102, 103, 104]
    pipeline = Pipeline(db, config, clock, lambda: None, concurrency=4)
    await pipeline.accept(
        [help_command(n * 10 + i, chat) for n in range(BACKLOG) for i, chat in enumerate(flooders)]
    )
    await pipeline.accept([help_command(10_000, BYSTANDER)])
    await pipeline.drain()
    assert len(handled) == 4 * BACKLOG + 1
    before = handled[: handled.index(BYSTANDER)]
    assert max(before.count(chat) for chat in flooders) < BACKLOG / 4


async def test_chats_with_backlogs_take_one_event_per_turn(
    db: Database, config: HandlerConfig, clock: FakeClock, handled: list[int]
) -> None:
    pipeline = Pipeline(db, config, clock, lambda: None, concurrency=1)
    await pipeline.accept([help_command(n * 2 + i, 200 + i) for n in range(3) for i in (0, 1)])
    await pipeline.drain()
    assert handled == [200, 201, 200, 201, 200, 201]
