"""Telegram's limits shared through Redis by several instances of the bot.

Each test plays two instances: two limiters, each with its own connection, on one key prefix
of the machine's Redis (``tests/support/redis_server.py``). Times are real, with
limits fast enough that a test takes about a second.
"""

import asyncio
import bisect
import itertools
import random
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.ratelimit import MARGIN, Limits
from bot.settings import DeliverySettings
from bot.shared_ratelimit import RedisLimiter
from tests.support.redis_server import REDIS_URL

FAST = DeliverySettings(global_per_second=600, private_per_second=5, group_per_minute=60_000)
"""30 messages per 0.05 s in all, one per 0.2 s to a chat: a chat's window outlasts the overall."""
LIMITS = Limits.of(FAST)


@pytest.fixture
async def instances() -> AsyncIterator[tuple[RedisLimiter, RedisLimiter]]:
    prefix = f"test-{uuid.uuid4().hex}"
    pair = (
        RedisLimiter.connect(REDIS_URL, LIMITS, prefix),
        RedisLimiter.connect(REDIS_URL, LIMITS, prefix),
    )
    yield pair
    for limiter in pair:
        await limiter.aclose()
    async with Redis.from_url(REDIS_URL) as redis:
        keys = [key async for key in redis.scan_iter(match=f"{{{prefix}}}:*")]
        if keys:
            await redis.delete(*keys)


async def test_two_instances_together_never_exceed_the_overall_limit(
    instances: tuple[RedisLimiter, RedisLimiter],
) -> None:
    """Requests of random length, each reaching Telegram at a random moment while in flight."""
    limit, period = LIMITS.overall
    rng = random.Random(11)
    arrivals: list[float] = []
    chats = iter(range(1, 10_000))

    async def send(limiter: RedisLimiter) -> None:
        for _ in range(25):
            duration = rng.choice((0.0005, 0.002, 0.01, 0.03))
            async with limiter.sending(next(chats)):
                began = time.monotonic()
                await asyncio.sleep(duration)
                arrivals.append(rng.uniform(began, time.monotonic()))

    await asyncio.gather(*(send(limiter) for limiter in instances for _ in range(6)))
    arrivals.sort()
    busiest = max(bisect.bisect_right(arrivals, t + period) - i for i, t in enumerate(arrivals))
    assert len(arrivals) == 300
    assert busiest <= limit
    assert arrivals[-1] - arrivals[0] >= (300 / limit - 1) * period  # the limit, not a trickle


async def test_one_chat_gets_its_messages_a_window_apart_whichever_instance_sends(
    instances: tuple[RedisLimiter, RedisLimiter],
) -> None:
    _, period = LIMITS.private
    spans: list[tuple[float, float]] = []
    for number in range(12):
        async with instances[number % 2].sending(42):
            began = time.monotonic()
            await asyncio.sleep(0.002)
            ended = time.monotonic()  # before the limiter notes the end, however late that is
        spans.append((began, ended))
    gaps = [later[0] - earlier[1] for earlier, later in itertools.pairwise(spans)]
    assert min(gaps) >= period * MARGIN - 0.001  # one clock is Redis's, the other ours


async def test_a_chat_is_ready_once_either_instances_place_has_left_its_window(
    instances: tuple[RedisLimiter, RedisLimiter],
) -> None:
    """``ready`` takes no place: asking many times still leaves the chat's one place free."""
    first, second = instances
    _, period = LIMITS.private
    for _ in range(5):
        await second.ready(42)
    async with first.sending(42):
        pass
    ended = time.monotonic()
    await second.ready(42)
    assert time.monotonic() - ended >= period * MARGIN - 0.01  # one clock is Redis's
    async with second.sending(42):
        pass


async def test_a_message_waiting_for_its_own_chat_does_not_hold_up_the_others(
    instances: tuple[RedisLimiter, RedisLimiter],
) -> None:
    """The overall window is full and one chat's window busy for longer: a message to another
    chat goes as soon as the overall window frees, not after the busy chat's wait."""
    limiter = instances[0]
    limit, _ = LIMITS.overall
    _, private = LIMITS.private
    for chat in [*range(101, 100 + limit), 100]:  # fills the overall window; chat 100 last
        async with limiter.sending(chat):
            pass
    began = time.monotonic()
    entered: dict[int, float] = {}

    async def send(chat: int) -> None:
        async with limiter.sending(chat):
            entered[chat] = time.monotonic() - began

    busy = asyncio.create_task(send(100))
    await asyncio.sleep(0)  # the busy chat asks first
    await send(7)
    await busy
    assert entered[7] < entered[100]
    assert entered[7] < private  # not behind the busy chat's window
    assert entered[100] >= private * MARGIN - 0.05  # its own window held it


async def test_a_429_seen_by_one_instance_holds_the_other(
    instances: tuple[RedisLimiter, RedisLimiter],
) -> None:
    first, second = instances
    began = time.monotonic()
    await first.pause(0.3)
    async with second.sending(7):
        waited = time.monotonic() - began
    async with second.sending(None):
        pass
    assert waited >= 0.29


async def test_a_place_held_by_an_instance_that_died_mid_request_is_given_up(
    instances: tuple[RedisLimiter, RedisLimiter], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.shared_ratelimit.IN_FLIGHT_HOLD", 0.2)
    dead, alive = instances
    began = time.monotonic()
    never_ends = dead.sending(9)  # its process is killed before the request ends
    await never_ends.__aenter__()
    async with alive.sending(9):
        waited = time.monotonic() - began
    _, period = LIMITS.private
    assert 0.2 + period * MARGIN <= waited + 0.001 < 2
    await never_ends.__aexit__(None, None, None)


async def test_nothing_is_sent_while_redis_cannot_be_reached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.shared_ratelimit.RETRY_REDIS", 0.05)
    limiter = RedisLimiter.connect("redis://127.0.0.1:9/0", LIMITS, "unreachable")
    entered = False
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.5), limiter.sending(5):
            entered = True
    await limiter.aclose()
    assert not entered
