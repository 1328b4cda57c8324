"""Which failures are the database's and worth waiting out, and how to name any failure safely.

A failure is *transient* when the database (or the way to it) is away for a while — the
connection lost, the server restarting or refusing connections, a serialisation failure, a
deadlock, a lock timeout, too many connections, SQLite busy — and the same work will go
through later. Anything else (a value out of a column's range, a broken constraint, a
programming error, any other exception) is the work's own: retrying it for ever froze a chat
behind one forged button, so callers set such work aside after a few tries.

Drivers quote bound values in their messages ("invalid input for query argument $1:
3000000000"), whatever ``hide_parameters`` says, and a handler's error can quote what a worker
typed: ``describe`` names a failure by its kind, SQLSTATE and place, never by its message.
"""

import errno
import logging
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

__all__ = ["OutageLog", "describe", "frames", "is_transient"]

TRANSIENT_CLASSES = frozenset({"08", "53"})
"""SQLSTATE classes: connection exception; insufficient resources (too many connections)."""
TRANSIENT_STATES = frozenset({"40001", "40P01", "55P03", "57P01", "57P02", "57P03", "57P05"})
"""Serialisation failure, deadlock, lock not available (lock timeout), admin and crash
shutdown, cannot connect now (starting up), idle session timeout."""
NETWORK_ERRNOS = frozenset(
    {errno.ENETDOWN, errno.ENETUNREACH, errno.EHOSTDOWN, errno.EHOSTUNREACH, errno.ETIMEDOUT}
)
"""Socket errors that are not ``ConnectionError``s: the way to the server is down."""
SQLITE_BUSY = frozenset({5, 6})
"""SQLITE_BUSY and SQLITE_LOCKED ("database is locked"), as primary result codes."""

_ROOT = Path(__file__).resolve().parents[1]
_OURS = frozenset({"bot", "handlers", "storage", "tests", "bench"})
"""The project's top-level packages under ``_ROOT`` (a checkout, or site-packages)."""


def is_transient(error: BaseException) -> bool:
    """True when the database is away for a while, not when this work cannot be done."""
    for link in _chain(error):
        if _network_failure(link) or isinstance(link, PoolTimeoutError):
            return True
        if isinstance(link, DBAPIError) and link.connection_invalidated:
            return True
        state = _sqlstate(link)
        if state is not None and (state[:2] in TRANSIENT_CLASSES or state in TRANSIENT_STATES):
            return True
        code = getattr(link, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in SQLITE_BUSY:
            return True
    return False


def _network_failure(error: BaseException) -> bool:
    """The connection to the server failed, as opposed to any other ``OSError``: a handler's
    missing file or refused permission is the work's own failure and must not freeze its chat
    as a database outage would."""
    if isinstance(error, ConnectionError | TimeoutError | socket.gaierror):
        return True
    return isinstance(error, OSError) and error.errno in NETWORK_ERRNOS


def describe(error: BaseException) -> str:
    """``DataError (SQLSTATE 22000) at handlers/surveys/answer.py:97 in checked``: what and where,
    with no message, so no bound value and nothing a worker typed."""
    links = list(_chain(error))
    state = next((s for s in map(_sqlstate, links) if s is not None), None)
    name = type(links[-1]).__name__
    kind = f"{name} (SQLSTATE {state})" if state else name
    place = _where(error)
    return f"{kind} at {place}" if place else kind


def _where(error: BaseException) -> str | None:
    """The innermost frame of the project's own code that the error passed through."""
    ours = [f for f in traceback.extract_tb(error.__traceback__) if _is_ours(f.filename)]
    if not ours:
        return None
    frame = ours[-1]
    return f"{Path(frame.filename).resolve().relative_to(_ROOT)}:{frame.lineno} in {frame.name}"


def frames(error: BaseException) -> str:
    """The traceback's frames without the exception's message (see ``describe``)."""
    return "".join(traceback.format_tb(error.__traceback__))


class OutageLog:
    """ "The database is unavailable" at most once per ``interval``, with a count of the rest:
    one line per waiting chat each second (with a traceback) filled the log during an outage."""

    def __init__(
        self,
        logger: logging.Logger,
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = logger
        self._interval = interval
        self._clock = clock
        self._last: float | None = None
        self._quiet = 0

    def warn(self, error: BaseException) -> None:
        now = self._clock()
        if self._last is not None and now - self._last < self._interval:
            self._quiet += 1
            return
        self._log.warning(
            "the database is unavailable (%s); waiting and retrying (%d more since the last "
            "such warning)",
            describe(error),
            self._quiet,
        )
        self._last, self._quiet = now, 0


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, then what it wraps: SQLAlchemy's ``orig`` and explicit causes (not the
    implicit context, which may be an unrelated error handled on the way)."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        wrapped = link.orig if isinstance(link, DBAPIError) else None
        link = wrapped if isinstance(wrapped, BaseException) else link.__cause__


def _sqlstate(error: BaseException) -> str | None:
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return state if isinstance(state, str) and len(state) == 5 else None


def _is_ours(filename: str) -> bool:
    path = Path(filename).resolve()
    return path.is_relative_to(_ROOT) and path.relative_to(_ROOT).parts[0] in _OURS
