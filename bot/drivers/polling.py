"""What every driver's receiving shares: the offset waits until the inbox has the batch, and
the calls receiving needs (getUpdates, setWebhook, deleteWebhook) are repeated until taken."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from bot.pipeline import Pipeline
from bot.settings import DeliverySettings
from bot.transport import DeliveryError, RetryAfter, Unauthorized
from handlers.events import Event

__all__ = ["keep_trying", "store_until_stored"]

log = logging.getLogger(__name__)

T = TypeVar("T")

LONGEST_PAUSE = 30.0
"""Receiving is never paused longer than this, whatever ``DELIVERY_RETRY_MAX_SECONDS`` says."""


async def store_until_stored(pipeline: Pipeline, events: Sequence[Event]) -> None:
    """Polling holds the offset until the inbox has the batch, however long that takes.

    A stop that comes while the batch is being written waits for that write (a second stop
    cuts it short): a database call cancelled half-way leaves a connection the pool can only
    close by force, with a traceback in the log. Either way the offset has not moved, so the
    next start fetches the batch again and the inbox keeps one copy.
    """
    delay = 0.5
    while True:
        attempt = asyncio.ensure_future(pipeline.accept(events))
        try:
            await asyncio.shield(attempt)
            return
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await attempt
            raise
        except Exception:
            log.warning("cannot store updates yet; retrying in %.1f s", delay, exc_info=True)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


async def keep_trying(
    request: Callable[[], Awaitable[T]],
    classify: Callable[[Exception], DeliveryError],
    settings: DeliverySettings,
) -> T:
    """Repeat ``request`` with back-off whatever the answer (an HTML page, a 400, a hang, a
    library error): receiving must outlast any outage. Only a refused token (401) ends it."""
    delay = settings.retry_base_seconds
    while True:
        try:
            return await request()
        except Exception as error:
            problem = classify(error)
            if isinstance(problem, Unauthorized):
                raise problem from error
            if isinstance(problem, RetryAfter):
                pause = problem.seconds
            else:
                pause, delay = delay, min(delay * 2, settings.retry_max_seconds, LONGEST_PAUSE)
            log.warning("Telegram unavailable (%s); retrying in %.1f s", problem, pause)
            await asyncio.sleep(pause)
