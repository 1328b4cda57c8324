"""Telegram's sending limits, kept on our side so Telegram never has to enforce them.

Sliding windows rather than token buckets: a bucket refilled at 30/s still lets 59 messages
into some one-second span after a burst, which Telegram counts as flooding.

A message's place in a window counts from the end of its request, not the start: Telegram
sees the message somewhere in between, and a slow request followed by a quick one would
otherwise arrive closer together than the window allows. Counting from the end (and holding
the place while the request is in flight) makes that impossible, whatever the network or our
event loop does; it costs one round trip per window.
"""

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

__all__ = ["SendLimiter", "SlidingWindow", "Slot"]

# A little slack for two clocks (ours, Telegram's) measuring the same second.
MARGIN = 1.01
GLOBAL_BURST = 30
PRIVATE_BURST = 1
GROUP_BURST = 20


class Slot:
    """One message's place in a window: held while its request is in flight, then for one
    period from the moment the request ended."""

    __slots__ = ("ended",)

    def __init__(self) -> None:
        self.ended: float | None = None


class SlidingWindow:
    def __init__(self, limit: int, period: float) -> None:
        self.limit = max(1, limit)
        self.period = period * MARGIN
        self._slots: list[Slot] = []

    def wait_time(self, now: float) -> float:
        self._slots = [s for s in self._slots if s.ended is None or s.ended + self.period > now]
        if len(self._slots) < self.limit:
            return 0.0
        ended = [s.ended for s in self._slots if s.ended is not None]
        # With every place in flight, none frees sooner than a period after its request ends.
        return min(ended) + self.period - now if ended else self.period

    def take(self) -> Slot:
        slot = Slot()
        self._slots.append(slot)
        return slot


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

    @asynccontextmanager
    async def sending(self, chat_id: int | None) -> AsyncIterator[None]:
        """Around one request: wait for a place in the windows, hold it until the answer is
        in. ``None`` for calls that are not messages (only the pause applies)."""
        slots = await self._acquire(chat_id)
        try:
            yield
        finally:
            ended = self._clock()
            for slot in slots:
                slot.ended = ended

    async def _acquire(self, chat_id: int | None) -> tuple[Slot, ...]:
        """A chat's own window is waited out before the shared lock is taken, so one busy chat
        never holds up the others."""
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
            if chat_id is None:
                return ()
            slots = (self._global.take(), self._chat(chat_id).take())
            self._forget_idle(now)
            return slots

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
