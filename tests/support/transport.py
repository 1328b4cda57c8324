"""An in-memory transport: records every call and fails on cue."""

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Call", "ScriptedTransport"]


@dataclass(frozen=True)
class Call:
    method: str
    chat_id: int
    payload: dict[str, Any]
    at: float
    outcome: str


@dataclass
class ScriptedTransport:
    """``failures`` are raised, in order, by the calls that match ``fails_for``."""

    failures: list[Exception] = field(default_factory=list)
    fails_for: Callable[[str, int], bool] = lambda method, chat: True
    calls: list[Call] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    async def call(self, method: str, chat_id: int, payload: dict[str, Any]) -> int | None:
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
