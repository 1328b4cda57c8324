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
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from bot.settings import DeliverySettings

__all__ = ["MARGIN", "Limiter", "Limits", "SendLimiter", "SlidingWindow", "Slot"]

# A little slack for two clocks (ours, Telegram's) measuring the same second.
MARGIN = 1.01
GLOBAL_BURST = 30
PRIVATE_BURST = 1
GROUP_BURST = 20


class Limiter(Protocol):
    """What the sender needs of a limiter: this process's own, or one shared by instances."""

    async def pause(self, seconds: float) -> None:
        """Telegram answered 429: no message goes out for ``seconds``."""

    async def ready(self, chat_id: int) -> None:
        """Wait until the chat's own window has room, taking no place: the sender waits here
        before it takes one of its slots, so a chat waiting for its window holds none."""

    def sending(self, chat_id: int | None) -> AbstractAsyncContextManager[None]:
        """Around one request: wait for a place in the windows, hold it until the answer is
        in. ``None`` for calls that are not messages (only the pause applies)."""
        ...

    async def aclose(self) -> None:
        """Let go of what the limiter holds (a connection) once nothing more is sent."""


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
    """Global, per-private-chat and per-group limits, and a pause after a 429, counted in this
    process alone (one instance, or each given its share of the global rate)."""

    def __init__(self, limits: "Limits", clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._limits = limits
        self._global = SlidingWindow(*self._limits.overall)
        self._chats: dict[int, SlidingWindow] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def aclose(self) -> None:
        """Holds nothing outside this process."""

    @asynccontextmanager
    async def sending(self, chat_id: int | None) -> AsyncIterator[None]:
        slots = await self._acquire(chat_id)
        try:
            yield
        finally:
            ended = self._clock()
            for slot in slots:
                slot.ended = ended

    async def ready(self, chat_id: int) -> None:
        # Waiting out time, not an event: nothing else could end the wait sooner.
        while (wait := self._chat(chat_id).wait_time(self._clock())) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)

    async def _acquire(self, chat_id: int | None) -> tuple[Slot, ...]:
        """A chat's own window is waited out before the shared lock is taken, so one busy chat
        never holds up the others."""
        if chat_id is not None:
            await self.ready(chat_id)
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
            window = self._chats[chat_id] = SlidingWindow(*self._limits.for_chat(chat_id))
        return window

    def _forget_idle(self, now: float) -> None:
        if len(self._chats) > 10_000:
            self._chats = {c: w for c, w in self._chats.items() if w.wait_time(now) > 0}


Shape = tuple[int, float]
"""A window: at most this many messages in any span of this many seconds."""


@dataclass(frozen=True)
class Limits:
    overall: Shape
    private: Shape
    group: Shape

    @classmethod
    def of(cls, delivery: DeliverySettings) -> "Limits":
        return cls(
            window_shape(delivery.global_per_second, 1.0, GLOBAL_BURST),
            window_shape(delivery.private_per_second, 1.0, PRIVATE_BURST),
            window_shape(delivery.group_per_minute, 60.0, GROUP_BURST),
        )

    def for_chat(self, chat_id: int) -> Shape:
        return self.private if chat_id > 0 else self.group


def window_shape(rate: float, period: float, burst: int) -> Shape:
    """``rate`` per ``period`` in Telegram's shape: its burst size, spread over the rate (the
    margin is added where the window is kept).

    At Telegram's own rates this is exactly its limit (30 per second, 1 per second, 20 per
    minute); a lower rate keeps the shape and stretches the window, a higher one (a self-hosted
    server, a test fake) compresses it.
    """
    capacity = max(1, min(burst, math.floor(rate)))
    return capacity, period * capacity / rate
