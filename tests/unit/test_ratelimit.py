"""The sliding windows that keep us under Telegram's limits."""

import pytest

from bot.ratelimit import MARGIN, SendLimiter, SlidingWindow


def test_a_window_admits_its_limit_then_waits_for_the_oldest_to_expire() -> None:
    window = SlidingWindow(3, 1.0)
    for at in (0.0, 0.1, 0.2):
        assert window.wait_time(at) == 0
        window.record(at)
    assert window.wait_time(0.3) == pytest.approx(1.0 * MARGIN - 0.3)
    assert window.wait_time(1.0 * MARGIN) == 0


def test_no_span_of_one_period_ever_holds_more_than_the_limit() -> None:
    window = SlidingWindow(30, 1.0)
    sent: list[float] = []
    now = 0.0
    while len(sent) < 300:
        while (wait := window.wait_time(now)) > 0:
            now += wait
        window.record(now)
        sent.append(now)
    assert max(sum(1 for t in sent if start <= t < start + 1.0) for start in sent) <= 30


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
    limiter = SendLimiter(30, 1, 20, clock=time)
    sent = []
    for _ in range(45):
        await limiter.acquire(-1001)
        sent.append(time.now)
    assert max(sum(1 for t in sent if start <= t < start + 60) for start in sent) == 20
    assert sent[20] >= 60


async def test_a_pause_after_429_holds_every_chat(monkeypatch: pytest.MonkeyPatch) -> None:
    time = ManualTime()

    async def sleep(seconds: float) -> None:
        time.now += seconds

    monkeypatch.setattr("bot.ratelimit.asyncio.sleep", sleep)
    limiter = SendLimiter(30, 1, 20, clock=time)
    limiter.pause(7)
    await limiter.acquire(42)
    assert time.now >= 7
    await limiter.acquire(None)
