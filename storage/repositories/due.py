"""``DueWriter`` over the ``duetask`` table (``storage.due``)."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import due

__all__ = ["SqlDueWriter"]


class SqlDueWriter:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def schedule(self, kind: str, subject: str, due_at: datetime, at: datetime) -> None:
        await due.schedule(self._session, kind, subject, due_at, at)

    async def cancel(self, kind: str, subject: str) -> None:
        await due.cancel(self._session, subject, [kind])
