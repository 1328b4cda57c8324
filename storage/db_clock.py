"""The database's clock: the one clock every instance of the bot reads alike.

Judgements one process makes about another (is that sender still alive?) must not depend on
the two processes' clocks agreeing: an instance whose clock ran 10 s ahead took a live sender
for dead and sent its in-flight messages a second time. Such times are written and compared
on the database's clock instead (on SQLite, which runs inside the process, that is the
machine's clock, which every process on it shares).
"""

from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

__all__ = ["database_now"]


async def database_now(session: AsyncSession) -> datetime:
    """The database's current time, aware UTC (PostgreSQL: the transaction's start)."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        value = (await session.exec(select(func.now()))).one()
        assert isinstance(value, datetime)
        return value.astimezone(UTC)
    # CURRENT_TIMESTAMP has whole seconds only; the same UTC clock with milliseconds.
    text = (await session.exec(select(func.strftime("%Y-%m-%d %H:%M:%f", "now")))).one()
    return datetime.fromisoformat(str(text)).replace(tzinfo=UTC)
