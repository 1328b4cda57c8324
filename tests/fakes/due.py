"""``DueWriter`` in memory: the pending tasks, by kind and subject."""

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["FakeDueWriter"]


@dataclass
class FakeDueWriter:
    pending: dict[tuple[str, str], datetime] = field(default_factory=dict)
    """When each pending task falls due, by ``(kind, subject)``."""

    async def schedule(self, kind: str, subject: str, due_at: datetime, at: datetime) -> None:
        self.pending[(kind, subject)] = due_at

    async def cancel(self, kind: str, subject: str) -> None:
        self.pending.pop((kind, subject), None)
