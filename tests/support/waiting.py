"""Waiting for another process's state: a bounded poll, since no event crosses processes."""

import asyncio
import math
from collections.abc import Awaitable, Callable

__all__ = ["until"]


async def until(
    check: Callable[[], Awaitable[bool]],
    timeout: float,  # noqa: ASYNC109 - a deadline for the condition, not for one call
    *,
    every: float = 0.25,
    what: str = "the condition",
) -> float:
    """Poll ``check`` every ``every`` seconds until it holds; the seconds it took.

    For state held by another process (the bot's database, a server starting), which cannot
    wake us. Raises AssertionError after ``timeout``.
    """
    loop = asyncio.get_running_loop()
    began = loop.time()
    for _ in range(math.ceil(timeout / every) + 1):
        if await check():
            return loop.time() - began
        if loop.time() - began > timeout:
            break
        await asyncio.sleep(every)
    raise AssertionError(f"{what} did not hold within {timeout} s")
