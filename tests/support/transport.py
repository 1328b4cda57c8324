"""An in-memory transport: records every call and fails on cue; and a sender running on it."""

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock, SystemClock
from bot.ratelimit import Limits, SendLimiter
from bot.sender import Sender
from bot.settings import DeliverySettings
from storage.db import Database

__all__ = ["FAST", "Call", "ScriptedTransport", "running"]

FAST = DeliverySettings(
    global_per_second=1000,
    private_per_second=1000,
    group_per_minute=60_000,
    retry_base_seconds=0.01,
    retry_max_seconds=0.05,
)
"""Limits and back-off small enough that a test never waits on them."""


@dataclass(frozen=True)
class Call:
    method: str
    chat_id: int
    payload: dict[str, Any]
    at: float
    outcome: str


@dataclass
class ScriptedTransport:
    """``failures`` are raised, in order, by the calls that match ``fails_for``; each call
    takes ``latency`` seconds."""

    failures: list[Exception] = field(default_factory=list)
    fails_for: Callable[[str, int], bool] = lambda method, chat: True
    calls: list[Call] = field(default_factory=list)
    latency: float = 0.0
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    async def call(self, method: str, chat_id: int, payload: dict[str, Any]) -> int | None:
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.failures and self.fails_for(method, chat_id):
            error = self.failures.pop(0)
            self.calls.append(
                Call(method, chat_id, payload, time.monotonic(), type(error).__name__)
            )
            raise error
        self.calls.append(Call(method, chat_id, payload, time.monotonic(), "ok"))
        return next(self._ids)

    def delivered(self, chat_id: int | None = None) -> list[str]:
        return [
            c.payload.get("text", "")
            for c in self.calls
            if c.outcome == "ok" and (chat_id is None or c.chat_id == chat_id)
        ]


@contextlib.asynccontextmanager
async def running(
    db: Database,
    transport: ScriptedTransport,
    settings: DeliverySettings = FAST,
    clock: Clock | None = None,
) -> AsyncIterator[Sender]:
    """A sender delivering the outbox through ``transport`` until the block ends."""
    limiter = SendLimiter(Limits.of(settings))
    sender = Sender(db, transport, settings, clock or SystemClock(), limiter)
    task = asyncio.create_task(sender.run())
    try:
        yield sender
    finally:
        sender.stop()
        await asyncio.wait_for(task, 30)
