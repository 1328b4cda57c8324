"""Delivers the outbox: at once, in order per chat, within Telegram's limits, never lost.

Each row is claimed before its request and settled after the answer, each step its own short
transaction; see ``storage.outbox`` for why a claim whose lease ran out counts as ambiguous.
"""

import asyncio
import contextlib
import logging
import random
import time
import uuid
from datetime import timedelta
from typing import Any

from bot.case_files.outgoing import by_file_id, file_id_refused, from_store
from bot.case_files.store import CaseFileStore
from bot.clock import Clock
from bot.ratelimit import Limiter
from bot.settings import DeliverySettings
from bot.transport import (
    Rejected,
    RetryAfter,
    TransientError,
    Transport,
    Unauthorized,
    Unreachable,
)
from handlers.replies import MESSAGE_REF
from storage import outbox
from storage.db import Database
from storage.db_clock import database_now
from storage.db_errors import OutageLog, describe, frames
from storage.models import OutboxMessage, OutboxStatus
from storage.people import bot_back_in_group, mark_chat_unreachable
from storage.surveys import hasten_refused_survey

__all__ = ["Sender"]

log = logging.getLogger(__name__)

IDLE_POLL = 1.0
HEARTBEAT = 1.0
SILENCE = timedelta(seconds=5)
"""A sender not heard from for this long is taken for dead and its claims are released."""
NOT_MODIFIED = "message is not modified"


class Sender:
    def __init__(
        self,
        db: Database,
        transport: Transport,
        settings: DeliverySettings,
        clock: Clock,
        limiter: Limiter,
        *,
        concurrency: int = 32,
        store: CaseFileStore | None = None,
    ) -> None:
        self._db = db
        self._transport = transport
        self._settings = settings
        self._clock = clock
        self._limiter = limiter
        self._store = store
        """Where a case file's files are kept, to upload when Telegram forgot their ids."""
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._waiting = 0
        """Claims in flight that wait for their chat's window, outside the slots."""
        self._stopped = asyncio.Event()
        self._stopping = False
        self._id = str(uuid.uuid4())
        self._last_beat = 0.0
        self._refused: Unauthorized | None = None
        self._outage = OutageLog(log)
        self.stats = {"sent": 0, "retried": 0, "ambiguous": 0, "unreachable": 0, "failed": 0}

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Claim nothing more; ``run`` returns once the requests in flight are settled."""
        self._stopping = True
        self._stopped.set()
        self._wake.set()

    async def run(self) -> None:
        try:
            while not self._stopping:
                await self._round()
        finally:
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)
            await self._retire()
        if self._refused is not None:
            raise self._refused

    async def drain(self) -> None:
        """Deliver what is due now and return (the console and tests use it)."""
        while await self._round(wait=False):
            pass
        if self._in_flight:
            await asyncio.gather(*self._in_flight)

    async def _round(self, *, wait: bool = True) -> int:
        self._wake.clear()
        rows = await self._claim()
        for row in rows:
            task = asyncio.create_task(self._deliver_or_release(row))
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        if not rows and wait:
            idle = await self._idle_time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), idle)
        elif not rows and self._in_flight:
            await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
            return 1
        return len(rows)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._wake.set()

    async def _claim(self) -> list[OutboxMessage]:
        free = self._concurrency - (len(self._in_flight) - self._waiting)
        try:
            async with self._db.transaction() as session:
                now = await database_now(session)
                if time.monotonic() - self._last_beat >= HEARTBEAT:
                    await outbox.heartbeat(session, self._id, now)
                    self._last_beat = time.monotonic()
                    recovered = await outbox.recover_orphaned_claims(session, now, SILENCE)
                    if recovered:
                        self.stats["ambiguous"] += recovered
                        log.warning("%d messages were in flight when a sender died", recovered)
                if free <= 0:
                    return []
                return list(await outbox.claim_due(session, now, free, self._id))
        except Exception as error:
            self._outage.warn(error)
            await asyncio.sleep(IDLE_POLL)
            return []

    async def _idle_time(self) -> float:
        try:
            async with self._db.reader() as session:
                due = await outbox.next_due_at(session)
                now = await database_now(session)
        except Exception:
            return IDLE_POLL  # the database is away: the next claim says so, and waits
        if due is None:
            return IDLE_POLL
        return min(IDLE_POLL, max(0.01, (due - now).total_seconds()))

    async def _deliver_in_turn(self, row: OutboxMessage) -> None:
        """Wait for the chat's own window before taking a slot: 25 messages to each of 40
        groups, each waiting for its group's 20 a minute, held every slot and a worker's reply
        waited 36 s. Waiting claims are one per chat at most (a chat's next message waits for
        this one); on stop they are given back untried."""
        if row.method not in outbox.UNORDERED_METHODS and not await self._window_open(row.chat_id):
            await self._release(row)
            return
        await self._deliver(row)

    async def _window_open(self, chat_id: int) -> bool:
        """True once the chat may be sent to; False if the sender stops first."""
        self._waiting += 1
        try:
            ready = asyncio.ensure_future(self._limiter.ready(chat_id))
            stopped = asyncio.ensure_future(self._stopped.wait())
            try:
                await asyncio.wait((ready, stopped), return_when=asyncio.FIRST_COMPLETED)
            finally:
                ready.cancel()
                stopped.cancel()
            if ready.done() and not ready.cancelled() and ready.exception() is not None:
                log.warning("could not learn whether chat %s may be sent to", chat_id)
            return not self._stopping
        finally:
            self._waiting -= 1

    async def _release(self, row: OutboxMessage) -> None:
        assert row.id is not None
        try:
            async with self._db.transaction() as session:
                await outbox.release(session, row.id)
        except Exception:
            log.warning("could not give back outbox message %s; its claim expires", row.id)

    async def _deliver_or_release(self, row: OutboxMessage) -> None:
        """Whatever happens inside a delivery, its claim is settled or released: no row stays
        ``sending`` while this sender lives, and no task ends with an exception."""
        try:
            await self._deliver_in_turn(row)
        except Unauthorized as error:  # the process stops and says so; this row waits
            self._refused = error
            self.stop()
            await self._release(row)
        except Exception as error:
            # Named by kind and place only: a library's message can quote the text being sent.
            failure = describe(error)
            log.error("delivering outbox message %s failed: %s\n%s", row.id, failure, frames(error))
            await self._retry(row, self._backoff(row.attempts), failure, ambiguous=True)

    async def _deliver(self, row: OutboxMessage) -> None:
        assert row.id is not None
        unordered = row.method in outbox.UNORDERED_METHODS
        async with self._slots:
            try:
                payload = await self._resolve_target(row)
            except Exception:
                # The database is away: try the row again later rather than hold its claim.
                await self._retry(row, self._backoff(row.attempts), "could not read the outbox")
                return
            if payload is None:
                self.stats["failed"] += 1
                await self._settle(row, OutboxStatus.FAILED, "the message to edit was never sent")
                return
            try:
                async with self._limiter.sending(None if unordered else row.chat_id):
                    message_id = await self._call(row, payload)
            except RetryAfter as error:
                await self._limiter.pause(error.seconds)
                await self._retry(row, error.seconds, str(error))
            except TransientError as error:
                await self._retry(
                    row, self._backoff(row.attempts), str(error), error.maybe_executed
                )
            except Unreachable as error:
                self.stats["unreachable"] += 1
                await self._settle(row, OutboxStatus.UNREACHABLE, str(error), unreachable=True)
            except Rejected as error:
                if NOT_MODIFIED in str(error):
                    await self._settle(row, OutboxStatus.SENT, None)
                    return
                self.stats["failed"] += 1
                log.error("Telegram refused outbox message %s (%s): %s", row.id, row.method, error)
                await self._settle(row, OutboxStatus.FAILED, str(error))
            else:
                self.stats["sent"] += 1
                await self._settle(row, OutboxStatus.SENT, None, message_id)

    async def _call(self, row: OutboxMessage, payload: dict[str, Any]) -> int | None:
        """Send kept files by their Telegram ids; if Telegram no longer knows one, send the
        same message once more with the store's copies uploaded."""
        try:
            return await self._transport.call(row.method, row.chat_id, by_file_id(payload))
        except Rejected as refused:
            if self._store is None or not file_id_refused(refused):
                raise
            try:
                uploads = await asyncio.to_thread(from_store, payload, self._store.read)
            except (OSError, ValueError) as error:
                failure = describe(error)
                log.error("outbox message %s: the store's copy is unreadable: %s", row.id, failure)
                raise refused from error
            if uploads is None:
                raise
            log.info("outbox message %s: file id refused, sending the store's copy", row.id)
            return await self._transport.call(row.method, row.chat_id, uploads)

    async def _resolve_target(self, row: OutboxMessage) -> dict[str, Any] | None:
        """An edit names its target by reference; by now (per-chat order) it has an id."""
        if MESSAGE_REF not in row.payload:
            return row.payload
        async with self._db.reader() as session:
            target = await outbox.telegram_message_id_for(session, row.payload[MESSAGE_REF])
        if target is None:
            return None
        payload = {k: v for k, v in row.payload.items() if k != MESSAGE_REF}
        return payload | {"message_id": target}

    async def _retire(self) -> None:
        try:
            async with self._db.transaction() as session:
                await outbox.retire(session, self._id)
        except Exception:
            log.warning("could not retire sender %s; its claims expire on their own", self._id)

    def _backoff(self, attempts: int) -> float:
        base = self._settings.retry_base_seconds * 2 ** min(attempts - 1, 16)
        return float(min(self._settings.retry_max_seconds, base) * random.uniform(0.5, 1.0))

    async def _retry(
        self, row: OutboxMessage, delay: float, error: str, ambiguous: bool = False
    ) -> None:
        self.stats["retried"] += 1
        self.stats["ambiguous"] += ambiguous
        log.info("outbox message %s will be retried in %.1f s: %s", row.id, delay, error)
        retry_in = timedelta(seconds=delay)
        await self._settle(row, OutboxStatus.PENDING, error, retry_in=retry_in, ambiguous=ambiguous)

    async def _settle(
        self,
        row: OutboxMessage,
        status: OutboxStatus,
        error: str | None,
        message_id: int | None = None,
        *,
        retry_in: timedelta | None = None,
        ambiguous: bool = False,
        unreachable: bool = False,
    ) -> None:
        """Record the outcome; keeps trying while the database is away (the heartbeat holds).
        A retry's time is on the database's clock, where every instance's claims judge it."""
        assert row.id is not None
        delay = 0.2
        while True:
            try:
                async with self._db.transaction() as session:
                    now = self._clock.now()
                    retry_at = None if retry_in is None else await database_now(session) + retry_in
                    await outbox.settle(
                        session,
                        row.id,
                        status,
                        now,
                        error=error,
                        telegram_message_id=message_id,
                        retry_at=retry_at,
                        ambiguous=ambiguous,
                    )
                    if unreachable:
                        await mark_chat_unreachable(session, row.chat_id, now, row.ref)
                        await hasten_refused_survey(session, row.ref, now)
                    elif status == OutboxStatus.SENT and row.chat_id < 0:
                        # Delivered: the group has the bot, whatever a refusal once flagged.
                        await bot_back_in_group(session, row.chat_id)
                return
            except Exception as failure:  # not ``error``: that name is the outcome being recorded
                self._outage.warn(failure)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
