"""The fetcher: downloads each evidence file into the case file store, retrying with back-off.

It claims due fetches in a short transaction, downloads outside any transaction (a 20 MB file
on a slow line must not hold SQLite's writer or a PostgreSQL lock), keeps the file, then settles
the outcome in another short transaction. A claim pushes ``fetch_due_at`` on by a lease: if this
process dies mid-download, the claim lapses and any instance fetches the file again — the
store's content addressing makes the second copy the same file.

Every hour it also deletes the files anonymised cases listed (``storepurge``): anonymising a
case (``storage.anonymise``) deletes its attachment rows and lists their files, which go here,
on the disk, unless an attachment refers to the same content again.
"""

import asyncio
import contextlib
import logging
import mimetypes
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.case_files.sniff import content_type
from bot.case_files.store import CaseFileStore, StoredFile
from bot.settings import EvidenceSettings
from bot.transport import (
    DeliveryError,
    Downloader,
    Rejected,
    RetryAfter,
    TooBig,
    Unauthorized,
)
from handlers.case_file import Refusal, refusal
from storage import case_files
from storage.db import Database
from storage.db_clock import database_now
from storage.db_errors import OutageLog, describe, frames
from storage.models import Attachment, FetchStatus

__all__ = ["Fetcher"]

log = logging.getLogger(__name__)

IDLE_POLL = 5.0
"""Seconds between looks for due fetches when nothing woke the fetcher sooner."""
LEASE = timedelta(minutes=10)
"""How long a claim holds a fetch: longer than the slowest download is allowed to take."""
BATCH = 4
"""Fetches at once: downloads share the line with the sender's messages."""
RELEASE_GRACE = 2.0
"""Seconds a stopping fetcher waits to give back a claim it could not finish."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A fetch in hand: its row, the ``fetch_due_at`` the claim wrote (which only this claim
    may settle), and the tries before it."""

    attachment_id: int
    until: datetime
    attempts: int


SWEEP_EVERY = 3600.0
"""Seconds between sweeps of the store for files of anonymised cases."""
PURGE_BATCH = 500
"""Files deleted per sweep; the rest wait for the next."""
SWEEP_GRACE = 2 * LEASE.total_seconds()
"""A file kept more recently may belong to a fetch not yet recorded: it is left alone."""


def root_cause(error: BaseException) -> str:
    """The kind of failure underneath (``ClientConnectorError``, ``TelegramServerError``):
    a library's message can quote the download's address, and that holds the bot's token."""
    while error.__cause__ is not None:
        error = error.__cause__
    return type(error).__name__


class Fetcher:
    def __init__(
        self,
        db: Database,
        downloader: Downloader,
        store: CaseFileStore,
        settings: EvidenceSettings,
        *,
        lease: timedelta = LEASE,
        batch: int = BATCH,
    ) -> None:
        self._db = db
        self._downloader = downloader
        self._store = store
        self._settings = settings
        self._lease = lease
        self._batch = batch
        self._wake = asyncio.Event()
        self._stopping = False
        self._refused: Unauthorized | None = None
        self._outage = OutageLog(log)
        self._swept_at: float | None = None

    def wake(self) -> None:
        """Look for due fetches now (a report was just submitted)."""
        self._wake.set()

    def stop(self) -> None:
        """Claim nothing more; ``run`` returns once the fetches in hand are settled."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            if self._swept_at is None or time.monotonic() - self._swept_at > SWEEP_EVERY:
                await self.sweep_store()
            if not await self.fetch_due():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), await self._idle_time())
        if self._refused is not None:
            raise self._refused

    async def fetch_due(self) -> int:
        """Fetch one batch of due files; how many were claimed."""
        try:
            async with self._db.transaction() as session:
                now = await database_now(session)
                claimed = await case_files.claim_fetches(session, now, self._batch, self._lease)
        except Exception as error:
            self._outage.warn(error)
            return 0
        await asyncio.gather(*(self._fetch(row) for row in claimed))
        return len(claimed)

    async def sweep_store(self) -> int:
        """Delete the files listed by anonymised cases that no attachment refers to any more;
        how many went. Only listed files: a store shared with a wrong or empty database loses
        nothing."""
        self._swept_at = time.monotonic()
        try:
            async with self._db.reader() as session:
                listed = await case_files.files_to_purge(session, PURGE_BATCH)
            done = await asyncio.to_thread(self._store.delete, listed, SWEEP_GRACE)
            async with self._db.transaction() as session:
                await case_files.purged(session, done)
        except Exception as error:
            self._outage.warn(error)
            return 0
        if done:
            log.info("deleted %s files of anonymised cases from the case file store", len(done))
        return len(done)

    async def _fetch(self, row: Attachment) -> None:
        assert row.id is not None and row.fetch_due_at is not None
        claim = Claim(row.id, row.fetch_due_at, row.fetch_attempts)
        declared = row.mime_type or mimetypes.guess_type(row.file_name or "")[0]
        try:
            content = await self._downloader.download(row.file_id)
            mime_type = content_type(content, declared)
            refused = refusal(row.kind, mime_type, len(content))
            if refused is not None:
                error = f"refused after download: {refused.value}"
                await self._finish(claim, FetchStatus.REFUSED, error)
                return
            kept = await asyncio.to_thread(
                self._store.keep, content, file_name=row.file_name, mime_type=mime_type
            )
        except asyncio.CancelledError:  # stopping: due again at the next start, not in 10 min
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._release(claim)), RELEASE_GRACE)
            raise
        except TooBig:
            await self._finish(claim, FetchStatus.REFUSED, f"refused: {Refusal.TOO_BIG.value}")
        except Unauthorized as error:  # the process stops and says so; the fetch waits
            self._refused = error
            self.stop()
            await self._release(claim)
        except Rejected as error:
            # Telegram's own words, which quote no value. Its getFile 400 reads "wrong file_id
            # or the file is temporarily unavailable": tried again like any failure.
            await self._retry(claim, f"{type(error).__name__}: {error}", None)
        except RetryAfter as error:
            await self._retry(claim, str(error), timedelta(seconds=error.seconds))
        except DeliveryError as error:
            await self._retry(claim, root_cause(error), None)
        except Exception as error:  # the store's disk, or a bug: named by kind and place
            failure = describe(error)
            log.error("fetching attachment %s failed: %s\n%s", row.id, failure, frames(error))
            await self._retry(claim, failure, None)
        else:
            await self._stored(claim, kept)

    async def _finish(self, claim: Claim, status: FetchStatus, error: str) -> None:
        """Refused (too big, a type the case file does not take) or failed: no further try."""
        level = logging.INFO if status == FetchStatus.REFUSED else logging.WARNING
        log.log(level, "attachment %s is %s: %s", claim.attachment_id, status.value, error)
        await self._settle(
            lambda session, _: case_files.settle_fetch(
                session, claim.attachment_id, claim.until, status, error
            )
        )

    async def _retry(self, claim: Claim, error: str, wait: timedelta | None) -> None:
        """Try again after the back-off (base × 2^attempts, capped; longer if Telegram asked
        for a longer wait), or give up after the last attempt."""
        tries = claim.attempts + 1
        if tries >= self._settings.fetch_attempts:
            await self._finish(claim, FetchStatus.FAILED, f"gave up after {tries} tries: {error}")
            return
        backoff = self._settings.retry_base_seconds * 2 ** min(claim.attempts, 30)
        delay = timedelta(seconds=min(backoff, self._settings.retry_max_seconds))
        delay = max(delay, wait) if wait is not None else delay
        log.info("attachment %s will be fetched again in %s: %s", claim.attachment_id, delay, error)
        await self._settle(
            lambda session, now: case_files.retry_fetch(
                session, claim.attachment_id, claim.until, error, now + delay
            )
        )

    async def _stored(self, claim: Claim, kept: StoredFile) -> None:
        await self._settle(
            lambda session, now: case_files.stored_fetch(
                session,
                claim.attachment_id,
                claim.until,
                sha256=kept.sha256,
                path=kept.path,
                size=kept.size,
                at=now,
            )
        )

    async def _release(self, claim: Claim) -> None:
        await self._settle(
            lambda session, now: case_files.release_fetch(
                session, claim.attachment_id, claim.until, now
            )
        )

    async def _settle(self, record: Callable[[AsyncSession, datetime], Awaitable[None]]) -> None:
        """Record an outcome, at the database's time; keeps trying while the database is away
        (the claim's lease covers the wait)."""
        delay = 0.2
        while True:
            try:
                async with self._db.transaction() as session:
                    await record(session, await database_now(session))
                return
            except Exception as failure:
                self._outage.warn(failure)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _idle_time(self) -> float:
        """Until the next retry is due, at most ``IDLE_POLL``."""
        try:
            async with self._db.reader() as session:
                due = await case_files.next_fetch_due(session)
                now = await database_now(session)
        except Exception:
            return IDLE_POLL
        if due is None:
            return IDLE_POLL
        return min(IDLE_POLL, max(0.05, (due - now).total_seconds()))
