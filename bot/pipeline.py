"""Inbox → handlers → outbox.

Drivers call ``accept`` and only then tell Telegram the updates were received. The worker
loop handles each chat's events in update order, one at a time per chat, many chats at once,
the chats with work taking turns for the slots, one event per turn;
each event is one transaction that locks the chat's conversation row, runs the handler,
writes the outbox and marks the inbox row done.
"""

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

from bot.clock import Clock
from handlers import Event, HandlerConfig, Outgoing, SendMessage, handle_event
from handlers.replies import AnswerCallback
from handlers.throttle import Ration, ration, slow_down
from storage import inbox, outbox
from storage.conversations import lock_conversation
from storage.db import Database
from storage.models import InboxStatus

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
                recent = await inbox.recent_by_user(session, {e.user_id for e in events}, since)
                rationed = ration(events, recent, self._budget)
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
        except (OperationalError, DBAPIError, OSError):
            log.warning("the database is unavailable; will retry", exc_info=True)
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
        try:
            async with self._db.transaction() as session:
                now = self._clock.now()
                conversation = await lock_conversation(session, chat_id, now)
                row = await inbox.next_pending_for_chat(session, chat_id)
                if row is None:
                    return False
                assert row.id is not None
                event = Event.from_json(row.payload)
                try:
                    outgoing = await handle_event(session, self._config, event, now, conversation)
                except (OperationalError, DBAPIError):
                    raise
                except Exception as error:
                    raise HandlerFailed(row.id, event) from error
                await inbox.finish(session, row.id, InboxStatus.DONE, now)
                await outbox.enqueue(session, (to_row(m) for m in outgoing), now)
            self.stats["handled"] += 1
        except HandlerFailed as failure:
            await self._record_failure(failure)
        except (OperationalError, DBAPIError, OSError):
            log.warning("the database is unavailable; chat %s waits", chat_id, exc_info=True)
            await asyncio.sleep(IDLE_POLL)
            return False
        self._on_outgoing()
        return True

    async def _record_failure(self, failure: "HandlerFailed") -> None:
        """A bug, not bad input: the event is set aside with its error and the user told."""
        log.error(
            "handler failed on update %s", failure.event.update_id, exc_info=failure.__cause__
        )
        self.stats["failed"] += 1
        async with self._db.transaction() as session:
            now = self._clock.now()
            error = repr(failure.__cause__)
            await inbox.finish(session, failure.event_id, InboxStatus.FAILED, now, error)
            await outbox.enqueue(session, (to_row(m) for m in apology_for(failure.event)), now)


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


class HandlerFailed(Exception):
    def __init__(self, event_id: int, event: Event) -> None:
        super().__init__(f"handler failed on update {event.update_id}")
        self.event_id = event_id
        self.event = event


def apology_for(event: Event) -> list[Outgoing]:
    messages: list[Outgoing] = []
    if event.callback_id:
        messages.append(AnswerCallback(event.chat_id, event.callback_id))
    if event.is_private:
        messages.append(SendMessage(event.chat_id, APOLOGY))
    return messages


def to_row(message: Outgoing) -> outbox.OutboxRow:
    return (message.chat_id, message.method, message.to_json(), message.ref)
