"""Telegram's sending limits, kept on our side so Telegram never has to enforce them.

Sliding windows rather than token buckets: a bucket refilled at 30/s still lets 59 messages
into some one-second span after a burst, which Telegram counts as flooding.
"""

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable

__all__ = ["SendLimiter", "SlidingWindow"]

# Requests arrive at Telegram a little unevenly; this margin keeps us inside its windows.
MARGIN = 1.03
GLOBAL_BURST = 30
PRIVATE_BURST = 1
GROUP_BURST = 20


class SlidingWindow:
    def __init__(self, limit: int, period: float) -> None:
        self.limit = max(1, limit)
        self.period = period * MARGIN
        self._sent: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        while self._sent and self._sent[0] + self.period <= now:
            self._sent.popleft()
        if len(self._sent) < self.limit:
            return 0.0
        return self._sent[0] + self.period - now

    def record(self, now: float) -> None:
        self._sent.append(now)


class SendLimiter:
    """Global, per-private-chat and per-group limits, and a pause after a 429."""

    def __init__(
        self,
        global_per_second: float,
        private_per_second: float,
        group_per_minute: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._global = _window(global_per_second, 1.0, GLOBAL_BURST)
        self._private = (private_per_second, 1.0, PRIVATE_BURST)
        self._group = (group_per_minute, 60.0, GROUP_BURST)
        self._chats: dict[int, SlidingWindow] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def acquire(self, chat_id: int | None) -> None:
        """Wait for a slot; ``None`` for calls that are not messages (only the pause applies).

        A chat's own window is waited out before the shared lock is taken, so one busy chat
        never holds up the others.
        """
        if chat_id is not None:
            # Waiting out time, not an event: nothing else could end the wait sooner.
            while (wait := self._chat(chat_id).wait_time(self._clock())) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)
        async with self._lock:
            while True:
                now = self._clock()
                wait = self._paused_until - now
                if chat_id is not None:
                    wait = max(wait, self._global.wait_time(now))
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            if chat_id is not None:
                self._global.record(now)
                self._chat(chat_id).record(now)
                self._forget_idle(now)

    def _chat(self, chat_id: int) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            window = self._chats[chat_id] = _window(
                *(self._private if chat_id > 0 else self._group)
            )
        return window

    def _forget_idle(self, now: float) -> None:
        if len(self._chats) > 10_000:
            self._chats = {c: w for c, w in self._chats.items() if w.wait_time(now) > 0}


def _window(rate: float, period: float, burst: int) -> SlidingWindow:
    """``rate`` per ``period`` in Telegram's shape: its burst size, spread over the rate.

    At Telegram's own rates this is exactly its limit (30 per second, 1 per second, 20 per
    minute); a lower rate keeps the shape and stretches the window, a higher one (a self-hosted
    server, a test fake) compresses it.
    """
    capacity = max(1, min(burst, math.floor(rate)))
    return SlidingWindow(capacity, period * capacity / rate)
