"""What every driver's receiving shares: the offset waits until the inbox has the batch, and
the calls receiving needs (getUpdates, setWebhook, deleteWebhook) are repeated until taken."""

import asyncio
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
    """Polling holds the offset until the inbox has the batch, however long that takes."""
    delay = 0.5
    while True:
        try:
            await pipeline.accept(events)
            return
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
