"""What every driver's long polling shares: the offset waits until the inbox has the batch."""

import asyncio
import logging
from collections.abc import Sequence

from bot.pipeline import Pipeline
from handlers.events import Event

__all__ = ["store_until_stored"]

log = logging.getLogger(__name__)


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
