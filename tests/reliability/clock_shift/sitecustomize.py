"""Loaded by Python at start-up when this folder is on PYTHONPATH (tests only): sets the bot
process's clock ``TEST_CLOCK_OFFSET_SECONDS`` ahead (negative: behind), as a machine whose
clock is off would. The bot itself has no such setting."""

import os
from datetime import datetime, timedelta

_OFFSET = os.environ.get("TEST_CLOCK_OFFSET_SECONDS")

if _OFFSET:
    import bot.clock

    _shift = timedelta(seconds=float(_OFFSET))
    _machine_now = bot.clock.SystemClock.now

    def _shifted_now(self: bot.clock.SystemClock) -> datetime:
        return _machine_now(self) + _shift

    bot.clock.SystemClock.now = _shifted_now  # type: ignore[method-assign]
