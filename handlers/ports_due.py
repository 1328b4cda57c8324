"""The port through which a use case plans work for later: reminders, deadlines."""

from datetime import datetime
from typing import Protocol

__all__ = ["DueWriter"]


class DueWriter(Protocol):
    """Due work, one task per ``kind`` and ``subject`` (e.g. ``visit:7``)."""

    async def schedule(self, kind: str, subject: str, due_at: datetime, at: datetime) -> None:
        """Plan ``kind`` for ``subject`` at ``due_at`` (planned at ``at``); planning it again
        moves the pending task rather than adding a second one."""
        ...

    async def cancel(self, kind: str, subject: str) -> None:
        """Drop ``kind`` for ``subject`` if it is still pending."""
        ...
