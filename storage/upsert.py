"""What differs between the two databases we support, chosen by the session's dialect:
``INSERT … ON CONFLICT``, and claiming rows without waiting for another instance's."""

from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

__all__ = ["insert_for", "skip_locked"]

S = TypeVar("S")


def insert_for(session: AsyncSession, table: Any) -> Any:
    """The dialect's ``insert`` construct, which has ``on_conflict_do_*``."""
    if _postgresql(session):
        return postgresql.insert(table)
    return sqlite.insert(table)


def skip_locked(session: AsyncSession, statement: S, of: Any = None) -> S:
    """The rows locked for this transaction, passing over rows another transaction holds
    (``FOR UPDATE SKIP LOCKED``): two instances never claim the same one. On SQLite the
    process-wide write lock gives the same guarantee, so the statement is left as it is."""
    if not _postgresql(session):
        return statement
    return statement.with_for_update(skip_locked=True, of=of)  # type: ignore[attr-defined, no-any-return]


def _postgresql(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"
