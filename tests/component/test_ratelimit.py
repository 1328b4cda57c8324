"""The sliding windows that keep us under Telegram's limits."""

import asyncio
import bisect
import random

import pytest

from bot.ratelimit import MARGIN, Limits, SendLimiter, SlidingWindow
from bot.settings import DeliverySettings


def sent(window: SlidingWindow, at: float) -> None:
    """A message whose request started and ended at ``at``."""
    window.take().ended = at


def test_a_window_admits_its_limit_then_waits_for_the_oldest_to_expire() -> None:
    window = SlidingWindow(3, 1.0)
    for at in (0.0, 0.1, 0.2):
        assert window.wait_time(at) == 0
        sent(window, at)
    assert window.wait_time(0.3) == pytest.approx(1.0 * MARGIN - 0.3)
    assert window.wait_time(1.0 * MARGIN) == 0


def test_no_span_of_one_period_ever_holds_more_than_the_limit() -> None:
    window = SlidingWindow(30, 1.0)
    times: list[float] = []
    now = 0.0
    while len(times) < 300:
        while (wait := window.wait_time(now)) > 0:
            now += wait
        sent(window, now)
        times.append(now)
    assert max(sum(1 for t in times if start <= t < start + 1.0) for start in times) <= 30


class ManualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_group_gets_at_most_twenty_messages_a_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    time = ManualTime()

    async def sleep(seconds: float) -> None:
        time.now += seconds

    monkeypatch.setattr("bot.ratelimit.asyncio.sleep", sleep)
    limiter = SendLimiter(Limits.of(DeliverySettings()), clock=time)
    sent = []
    for _ in range(45):
        async with limiter.sending(-1001):
            sent.append(time.now)
    assert max(sum(1 for t in sent if start <= t < start + 60) for start in sent) == 20
    assert sent[20] >= 60


async def test_a_pause_after_429_holds_every_chat(monkeypatch: pytest.MonkeyPatch) -> None:
    time = ManualTime()

    async def sleep(seconds: float) -> None:
        time.now += seconds

    monkeypatch.setattr("bot.ratelimit.asyncio.sleep", sleep)
    limiter = SendLimiter(Limits.of(DeliverySettings()), clock=time)
    await limiter.pause(7)
    async with limiter.sending(42):
        assert time.now >= 7
    async with limiter.sending(None):
        assert time.now == 7


def test_a_place_is_held_while_its_request_is_in_flight() -> None:
    window = SlidingWindow(1, 1.0)
    slot = window.take()
    assert window.wait_time(100.0) > 0
    slot.ended = 100.0
    assert window.wait_time(100.5) > 0
    assert window.wait_time(100.0 + 1.0 * MARGIN) == 0


def test_telegram_never_sees_more_than_the_limit_however_long_requests_take() -> None:
    """Requests of random duration, each seen by Telegram at a random moment while in flight:
    no one-second span at Telegram's end ever holds more than 30."""
    rng = random.Random(7)
    window = SlidingWindow(30, 1.0)
    arrivals: list[float] = []
    now = 0.0
    while len(arrivals) < 2000:
        now += window.wait_time(now)
        if window.wait_time(now) > 0:
            continue
        duration = rng.choice((0.001, 0.005, 0.05, 0.3))
        window.take().ended = now + duration
        arrivals.append(now + rng.uniform(0, duration))
    arrivals.sort()
    assert max(bisect.bisect_right(arrivals, t + 1.0) - i for i, t in enumerate(arrivals)) <= 30


async def test_a_chat_is_ready_once_its_window_has_room_and_asking_takes_no_place() -> None:
    now = [0.0]
    limiter = SendLimiter(Limits((30, 1.0), (1, 1.0), (20, 60.0)), clock=lambda: now[0])
    await limiter.ready(5)
    await limiter.ready(5)
    async with limiter.sending(5):
        pass
    waiting = asyncio.ensure_future(limiter.ready(5))
    await asyncio.sleep(0.01)
    assert not waiting.done()
    now[0] = 1.0 * MARGIN
    await asyncio.wait_for(waiting, 5)
