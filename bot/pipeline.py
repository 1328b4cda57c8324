"""Inbox → handlers → outbox.

Drivers call ``accept`` and only then tell Telegram the updates were received. The worker
loop handles each chat's events in update order, one at a time per chat, many chats at once,
the chats with work taking turns for the slots, one event per turn;
each event is one transaction that locks the chat's conversation row, runs the handler,
writes the outbox and marks the inbox row done. While the database is away
(``storage.db_errors.is_transient``) the event waits and is tried again; an event that fails
for a reason of its own is tried ``TRIES`` times, then set aside as failed with an apology, so
one bad event never holds its chat.
"""

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from handlers import Event, HandlerConfig, Outgoing, SendMessage, handle_event
from handlers.replies import AnswerCallback, forgotten_once_delivered
from handlers.throttle import Ration, ration, slow_down
from storage import inbox, outbox
from storage.conversations import lock_conversation
from storage.db import Database
from storage.db_errors import OutageLog, describe, frames, is_transient
from storage.models import InboxStatus
from storage.repositories import ports

__all__ = ["Pipeline", "storable"]

log = logging.getLogger(__name__)

APOLOGY = "抱歉，出了点问题，请再试一次。\nSorry, something went wrong. Please try again."
IDLE_POLL = 1.0
BUDGET_PERIOD = timedelta(minutes=1)
"""The span a user's budget of updates counts over."""
CHATS_AT_ONCE = 4
"""Handling is bound by this process's CPU, not by waiting on the database: more chats at once
only stretch each transaction (and the time it holds its row locks), the benchmark showed
(``bench/pipeline_throughput.py``: on PostgreSQL, p99 handling 2.6 s at 16, 0.37 s at 4)."""
TRIES = 3
"""Tries of an event that fails for a reason of its own (not the database being away) before
it is set aside as failed; counted on its inbox row, so across restarts too."""


class Pipeline:
    def __init__(
        self,
        db: Database,
        config: HandlerConfig,
        clock: Clock,
        on_outgoing: Callable[[], None],
        *,
        concurrency: int = CHATS_AT_ONCE,
        budget_per_minute: int | None = None,
    ) -> None:
        self._db = db
        self._config = config
        self._clock = clock
        self._on_outgoing = on_outgoing
        self._slots = asyncio.Semaphore(concurrency)
        self._budget = budget_per_minute
        self._wake = asyncio.Event()
        self._active: dict[int, asyncio.Task[None]] = {}
        self._stopping = False
        self._outage = OutageLog(log)
        self.stats = {"handled": 0, "failed": 0, "duplicates": 0, "throttled": 0}

    async def accept(self, events: Sequence[Event]) -> None:
        """Make updates durable; raises if the database cannot take them (do not confirm then).

        Updates past their user's budget are stored as throttled, with one notice per burst
        (``handlers.throttle``)."""
        rows = [(e.update_id, e.chat_id, storable(e).to_json()) for e in events]
        async with self._db.transaction() as session:
            now = self._clock.now()
            rationed = Ration()
            if self._budget is not None:
                since = now - BUDGET_PERIOD
                users = {e.user_id for e in events}
                batch = {e.update_id for e in events}  # a redelivery is not counted twice
                recent = await inbox.recent_by_user(session, users, since, excluding=batch)
                fresh_since = int(since.timestamp())
                rationed = ration(events, recent, self._budget, fresh_since=fresh_since)
            stored = await inbox.store(session, rows, now, rationed.throttled)
            for event in rationed.warn:
                notice = await slow_down(session, self._config, event)
                await outbox.enqueue(session, map(to_row, notice), now)
        self.stats["duplicates"] += len(rows) - stored
        self.stats["throttled"] += len(rationed.throttled)
        if rationed.warn:
            self._on_outgoing()
        if stored:
            self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the events in hand, start no new ones; ``run`` then returns."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        try:
            while not self._stopping:
                self._wake.clear()
                await self._start_pending_chats()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), IDLE_POLL)
        finally:
            await self._stop_chats()

    async def drain(self) -> None:
        """Handle everything pending now and return (the console and tests use it)."""
        while await self._start_pending_chats() or self._active:
            await asyncio.gather(*self._active.values())

    async def _start_pending_chats(self) -> int:
        try:
            async with self._db.reader() as session:
                chats = await inbox.pending_chats(session)
        except Exception as error:
            self._outage.warn(error)
            return 0
        started = 0
        for chat_id in chats:
            if chat_id not in self._active:
                self._active[chat_id] = asyncio.create_task(self._run_chat(chat_id))
                started += 1
        return started

    async def _stop_chats(self) -> None:
        tasks = list(self._active.values())
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _run_chat(self, chat_id: int) -> None:
        """A slot for one event at a time: the chat then queues again behind the chats already
        waiting (the semaphore wakes its waiters in order), so chats take turns and a long
        backlog cannot hold a slot while everyone else waits."""
        try:
            while not self._stopping:
                async with self._slots:
                    if not await self._handle_next(chat_id):
                        break
        finally:
            self._active.pop(chat_id, None)

    async def _handle_next(self, chat_id: int) -> bool:
        """Handle the chat's earliest pending event; False when there is none (or no database)."""
        event_id: int | None = None
        try:
            async with self._db.transaction() as session:
                now = self._clock.now()
                conversation = await lock_conversation(session, chat_id, now)
                row = await inbox.next_pending_for_chat(session, chat_id)
                if row is None:
                    return False
                event_id = row.id
                assert event_id is not None
                event = Event.from_json(row.payload)
                outgoing = await handle_event(
                    session, self._config, event, now, conversation, ports(session)
                )
                await inbox.finish(session, event_id, InboxStatus.DONE, now)
                await outbox.enqueue(session, (to_row(m) for m in outgoing), now)
            self.stats["handled"] += 1
        except Exception as error:
            if is_transient(error) or not await self._record_failure(chat_id, event_id, error):
                self._outage.warn(error)
                await asyncio.sleep(IDLE_POLL)
                return False
        self._on_outgoing()
        return True

    async def _record_failure(self, chat_id: int, event_id: int | None, error: Exception) -> bool:
        """A failure of this event, not of the database (bad data, a constraint, a bug): the try
        is counted on its inbox row, and after ``TRIES`` the event is set aside as failed with
        what went wrong (kind and place, never values), the user gets the apology and the chat
        goes on. False when the database could not take even that (wait, as for an outage)."""
        description = describe(error)
        try:
            async with self._db.transaction() as session:
                now = self._clock.now()
                if event_id is None:
                    pending = await inbox.next_pending_for_chat(session, chat_id)
                    event_id = pending.id if pending else None
                row = await inbox.count_attempt(session, event_id) if event_id else None
                if row is None or row.id is None:
                    return True
                log.error(
                    "update %s of chat %s failed (try %d of %d): %s\n%s",
                    row.update_id,
                    chat_id,
                    row.attempts,
                    TRIES,
                    description,
                    frames(error),
                )
                if row.attempts < TRIES:
                    return True
                await inbox.finish(session, row.id, InboxStatus.FAILED, now, description)
                await outbox.enqueue(session, (to_row(m) for m in _apology(row.payload)), now)
            self.stats["failed"] += 1
        except Exception as failure:
            log.warning("could not record the failure of chat %s: %s", chat_id, describe(failure))
            return False
        return True


def storable(event: Event) -> Event:
    """The event without NUL characters and lone surrogates, which PostgreSQL cannot keep in a
    text column: a NUL in a document's name made the chat's Submit fail for ever (the pipeline
    retries database errors), so the chat waited for ever. Nobody types them; a client or a
    forged update can send them."""
    changes: dict[str, Any] = {
        field.name: _storable_text(value)
        for field in dataclasses.fields(event)
        if isinstance(value := getattr(event, field.name), str) and _storable_text(value) != value
    }
    return dataclasses.replace(event, **changes) if changes else event


def _storable_text(text: str) -> str:
    return "".join(c for c in text if c != "\x00" and not 0xD800 <= ord(c) <= 0xDFFF)


def _apology(payload: dict[str, Any]) -> list[Outgoing]:
    """The apology for a stored event; none when the payload itself cannot be read."""
    try:
        event = Event.from_json(payload)
    except Exception:
        return []
    return apology_for(event)


def apology_for(event: Event) -> list[Outgoing]:
    messages: list[Outgoing] = []
    if event.callback_id:
        messages.append(AnswerCallback(event.chat_id, event.callback_id))
    if event.is_private:
        messages.append(SendMessage(event.chat_id, APOLOGY))
    return messages


def to_row(message: Outgoing) -> outbox.OutboxRow:
    forget = forgotten_once_delivered(message)
    return (message.chat_id, message.method, message.to_json(), message.ref, forget)
