"""The pipeline waits out the database being away, but sets aside an event that fails on its own.

Every database error used to count as "database unavailable" and was retried for ever: one
forged button froze its chat across restarts and wrote a traceback, with the bound value in
it, several times a second.
"""

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import select

import bot.pipeline
from bot.pipeline import APOLOGY, TRIES, Pipeline
from handlers import Event, HandlerConfig
from storage.db import Database
from storage.db_errors import OutageLog, describe, is_transient
from storage.models import InboxEvent, InboxStatus
from tests.support.clock import FakeClock
from tests.support.pipeline_chat import PipelineChat

SECRET = "13812345678"
"""A phone number in the failing statement's parameters and the driver's message."""


class DriverError(Exception):
    """A driver's exception as SQLAlchemy wraps it (``orig``), with its SQLSTATE."""

    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


def wrapped(sqlstate: str, message: str = f"invalid input: {SECRET}") -> DBAPIError:
    return DBAPIError("SELECT $1", {"phone": SECRET}, DriverError(message, sqlstate))


def sqlite_busy() -> sqlite3.OperationalError:
    """A real "database is locked" from SQLite: a second writer that will not wait."""
    path = Path("busy.sqlite3")
    holder = sqlite3.connect(path, isolation_level=None)
    other = sqlite3.connect(path, timeout=0)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        other.execute("CREATE TABLE t (x)")
    except sqlite3.OperationalError as error:
        return error
    finally:
        holder.close()
        other.close()
    raise AssertionError("SQLite did not report busy")


TRANSIENT: dict[str, Callable[[], BaseException]] = {
    "connection lost": lambda: wrapped("08006"),
    "cannot connect": lambda: ConnectionRefusedError(111, "Connection refused"),
    "connection reset": lambda: ConnectionResetError(104, "Connection reset by peer"),
    "no route to the server": lambda: OSError(113, "No route to host"),
    "timed out": lambda: TimeoutError(),
    "server shutting down": lambda: wrapped("57P01"),
    "server starting up": lambda: wrapped("57P03"),
    "serialization failure": lambda: wrapped("40001"),
    "deadlock": lambda: wrapped("40P01"),
    "lock timeout": lambda: wrapped("55P03"),
    "too many connections": lambda: wrapped("53300"),
    "connection invalidated": lambda: DBAPIError(
        "SELECT 1", None, DriverError("closed"), connection_invalidated=True
    ),
    "sqlite busy": lambda: OperationalError("INSERT", None, sqlite_busy()),
}
POISON: dict[str, Callable[[], BaseException]] = {
    "data error": lambda: wrapped("22000"),
    "numeric out of range": lambda: wrapped("22003"),
    "constraint": lambda: IntegrityError("INSERT", None, DriverError(SECRET, "23505")),
    "programming error": lambda: wrapped("42P01"),
    "no SQLSTATE": lambda: DBAPIError("SELECT 1", None, DriverError(SECRET)),
    "a bug": lambda: KeyError(SECRET),
    "overflow": lambda: OverflowError("Python int too large to convert to SQLite INTEGER"),
    "a handler's missing file": lambda: FileNotFoundError(2, "No such file", SECRET),
    "a handler's refused permission": lambda: PermissionError(13, "Permission denied", SECRET),
}


@pytest.mark.parametrize("name", sorted(TRANSIENT))
def test_the_database_being_away_is_transient(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert is_transient(TRANSIENT[name]())


@pytest.mark.parametrize("name", sorted(POISON))
def test_a_failure_of_the_work_itself_is_not_transient_and_is_described_without_values(
    name: str,
) -> None:
    error = POISON[name]()
    assert not is_transient(error)
    assert SECRET not in describe(error)


def test_a_description_names_the_sqlstate_and_where_it_was_raised() -> None:
    def checked() -> None:
        raise wrapped("22003")

    try:
        checked()
    except DBAPIError as error:
        text = describe(error)
    assert text.startswith("DriverError (SQLSTATE 22003) at tests/component/test_pipeline_failures")
    assert text.endswith(" in checked")


def test_the_outage_warning_is_written_once_per_interval_with_a_count_of_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    outage = OutageLog(logging.getLogger("test.outage"), interval=10.0, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, "test.outage"):
        for tick in range(200):
            now[0] = tick * 0.1
            outage.warn(wrapped("57P01"))
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert "(99 more since the last such warning)" in lines[1]
    assert all(SECRET not in line for line in lines)


def failing(
    monkeypatch: pytest.MonkeyPatch, error: Callable[[], BaseException], times: int | None
) -> list[int]:
    """Make handling fail with ``error`` on presses (``times`` of them, or all); returns the
    update ids tried, in order."""
    tried: list[int] = []
    real = bot.pipeline.handle_event

    async def handle(session: Any, config: Any, event: Event, *args: Any) -> Any:
        tried.append(event.update_id)
        if event.callback_id and (times is None or len(tried) <= times):
            raise error()
        return await real(session, config, event, *args)

    monkeypatch.setattr(bot.pipeline, "handle_event", handle)
    monkeypatch.setattr(bot.pipeline, "IDLE_POLL", 0.01)
    return tried


@pytest.fixture
def chat(db: Database, config: HandlerConfig, clock: FakeClock) -> PipelineChat:
    return PipelineChat(Pipeline(db, config, clock, lambda: None), db, 8001, 8001)


async def statuses(db: Database, *events: Event) -> list[tuple[str, int, str | None]]:
    async with db.reader() as session:
        rows = [
            (
                await session.exec(select(InboxEvent).where(InboxEvent.update_id == e.update_id))
            ).one()
            for e in events
        ]
    return [(r.status, r.attempts, r.error) for r in rows]


@pytest.mark.parametrize("name", ["serialization failure", "connection lost", "cannot connect"])
async def test_a_transient_error_is_retried_until_the_event_goes_through(
    chat: PipelineChat, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    await chat.send(chat.command("/start"))
    tried = failing(monkeypatch, TRANSIENT[name], times=TRIES + 2)
    said = await chat.send(chat.press("m:help"))
    assert len(tried) == TRIES + 3
    assert (said.status, said.attempts, said.error) == (InboxStatus.DONE, 0, None)
    assert said.messages and all(APOLOGY not in m["text"] for m in said.messages)


@pytest.mark.parametrize("name", ["data error", "constraint", "a bug", "a handler's missing file"])
async def test_an_event_failing_on_its_own_is_set_aside_after_its_tries_and_the_chat_goes_on(
    db: Database,
    chat: PipelineChat,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    name: str,
) -> None:
    await chat.send(chat.command("/start"))
    tried = failing(monkeypatch, POISON[name], times=None)
    poison, after = chat.press("m:help"), chat.command("/help")
    await chat.pipeline.accept([poison, after])
    await chat.pipeline.drain()
    assert tried == [poison.update_id] * TRIES + [after.update_id]
    (status, attempts, error), (next_status, _, _) = await statuses(db, poison, after)
    assert (status, attempts, next_status) == (InboxStatus.FAILED, TRIES, InboxStatus.DONE)
    assert error is not None and SECRET not in error
    said = await chat.send(chat.command("/help"))
    assert said.status == InboxStatus.DONE
    assert chat.pipeline.stats["failed"] == 1
    assert SECRET not in caplog.text


async def test_the_apology_answers_the_press_and_tells_the_private_chat(
    chat: PipelineChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing(monkeypatch, POISON["data error"], times=None)
    said = await chat.send(chat.press("m:help"))
    assert said.status == InboxStatus.FAILED
    assert len(said.answers) == 1
    assert [m["text"] for m in said.messages] == [APOLOGY]


async def test_tries_are_counted_on_the_inbox_row_so_a_restart_does_not_reset_them(
    db: Database, config: HandlerConfig, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = PipelineChat(Pipeline(db, config, clock, lambda: None), db, 8002, 8002)
    poison = first.press("m:help")
    await first.pipeline.accept([poison])
    async with db.transaction() as session:
        await session.exec(
            update(InboxEvent)
            .where(InboxEvent.update_id == poison.update_id)  # type: ignore[arg-type]
            .values(attempts=TRIES - 1)
        )
    tried = failing(monkeypatch, POISON["data error"], times=None)
    restarted = Pipeline(db, config, clock, lambda: None)
    await restarted.drain()
    assert tried == [poison.update_id]
    assert (await statuses(db, poison))[0][:2] == (InboxStatus.FAILED, TRIES)
