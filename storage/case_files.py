"""The case file store's queues: attachments whose own copy is still to be fetched, and files
of anonymised cases to delete.

A fetch is claimed in one short transaction (its ``fetch_due_at`` pushed on by a lease, so a
claim of an instance that died lapses on its own), the download happens outside any
transaction, and the outcome is settled in another. Times are on the database's clock
(``storage.db_clock``), like the sender's, so instances whose clocks disagree share the work.
"""

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Attachment, FetchStatus, StorePurge
from storage.upsert import insert_for, skip_locked

__all__ = [
    "claim_fetches",
    "files_to_purge",
    "next_fetch_due",
    "purge_files_of",
    "purged",
    "release_fetch",
    "retry_fetch",
    "settle_fetch",
    "stored_fetch",
]


def _due(now: datetime) -> Any:
    """Pending and due; an attachment written without a time is due at once."""
    return (
        col(Attachment.fetch_status) == FetchStatus.PENDING,
        or_(col(Attachment.fetch_due_at).is_(None), col(Attachment.fetch_due_at) <= now),
    )


async def claim_fetches(
    session: AsyncSession, now: datetime, limit: int, lease: timedelta
) -> Sequence[Attachment]:
    """Due fetches, earliest first, each held for ``lease`` (``SKIP LOCKED`` on PostgreSQL:
    two instances never claim the same one; on SQLite the single writer does the same)."""
    statement = (
        select(Attachment)
        .where(*_due(now))
        .order_by(col(Attachment.fetch_due_at), col(Attachment.id))
        .limit(limit)
    )
    rows = (await session.exec(skip_locked(session, statement))).all()
    for row in rows:
        row.fetch_due_at = now + lease
        session.add(row)
    return rows


async def stored_fetch(
    session: AsyncSession,
    attachment_id: int,
    claim: datetime,
    *,
    sha256: str,
    path: str,
    size: int,
    at: datetime,
) -> None:
    """The file is in the store. If its attachment went meanwhile (its case anonymised while
    the download ran), the file is listed for the store to delete, as anonymising lists the
    files it finds; another instance's claim of a live attachment keeps the file referred to."""
    settled = await _set(
        session,
        attachment_id,
        claim,
        fetch_status=FetchStatus.STORED,
        fetch_error=None,
        fetch_due_at=None,
        sha256=sha256,
        stored_path=path,
        stored_size=size,
        stored_at=at,
    )
    if not settled:
        await _list_for_purge(session, {path}, at)


async def retry_fetch(
    session: AsyncSession, attachment_id: int, claim: datetime, error: str, due_at: datetime
) -> None:
    """One more failed try, to be tried again at ``due_at`` (on the database's clock)."""
    await _set(
        session,
        attachment_id,
        claim,
        fetch_attempts=Attachment.fetch_attempts + 1,
        fetch_error=error,
        fetch_due_at=due_at,
    )


async def settle_fetch(
    session: AsyncSession, attachment_id: int, claim: datetime, status: FetchStatus, error: str
) -> None:
    """Refused (too big, a type not accepted) or failed for good: no further try."""
    attempts = Attachment.fetch_attempts + (1 if status == FetchStatus.FAILED else 0)
    await _set(
        session,
        attachment_id,
        claim,
        fetch_status=status,
        fetch_attempts=attempts,
        fetch_error=error,
        fetch_due_at=None,
    )


async def release_fetch(
    session: AsyncSession, attachment_id: int, claim: datetime, now: datetime
) -> None:
    """Give back a claim whose download did not finish (the token was refused, the bot is
    stopping): not a try, and due again at once rather than when the lease lapses."""
    await _set(session, attachment_id, claim, fetch_due_at=now)


async def next_fetch_due(session: AsyncSession) -> datetime | None:
    statement = select(func.min(Attachment.fetch_due_at)).where(
        col(Attachment.fetch_status) == FetchStatus.PENDING
    )
    return (await session.exec(statement)).one()


async def purge_files_of(session: AsyncSession, case_id: int, now: datetime) -> None:
    """List the kept files of a case's attachments, about to be deleted, for the store."""
    paths = select(Attachment.stored_path).where(
        col(Attachment.case_id) == case_id, col(Attachment.stored_path).is_not(None)
    )
    await _list_for_purge(session, {p for p in (await session.exec(paths)).all() if p}, now)


async def _list_for_purge(session: AsyncSession, paths: Collection[str], now: datetime) -> None:
    for path in paths:
        await session.exec(
            insert_for(session, StorePurge)
            .values(path=path, since=now)
            .on_conflict_do_nothing(index_elements=["path"])
        )


async def files_to_purge(session: AsyncSession, limit: int) -> list[str]:
    """Listed files no attachment refers to any more (the same content may have come again)."""
    referred = exists().where(col(Attachment.stored_path) == col(StorePurge.path))
    statement = select(StorePurge.path).where(~referred).order_by(col(StorePurge.path))
    return list((await session.exec(statement.limit(limit))).all())


async def purged(session: AsyncSession, paths: Collection[str]) -> None:
    """The store has deleted these (or never had them); listings of files referred to again
    are dropped too, since those files stay."""
    referred = exists().where(col(Attachment.stored_path) == col(StorePurge.path))
    await session.exec(delete(StorePurge).where(col(StorePurge.path).in_(paths) | referred))


async def _set(session: AsyncSession, attachment_id: int, claim: datetime, **values: Any) -> bool:
    """Only the claim in force settles a fetch: ``claim`` is the ``fetch_due_at`` its claim
    wrote, so an instance whose lease lapsed while it was still downloading, and whose fetch
    another instance has since claimed, changes nothing. Whether it settled."""
    result = await session.exec(
        update(Attachment)
        .where(
            col(Attachment.id) == attachment_id,
            col(Attachment.fetch_status) == FetchStatus.PENDING,
            col(Attachment.fetch_due_at) == claim,
        )
        .values(**values)
    )
    return bool(result.rowcount)
