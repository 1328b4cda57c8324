"""The real bot as a process, for tests that kill it, stop it and run two of it.

It extends the end-to-end ``BotProcess`` with what reliability tests report: how long a
graceful stop took, and the tracebacks in the bot's log.
"""

import time

from tests.e2e.botprocess import BotProcess

__all__ = ["ReliableBot"]


class ReliableBot(BotProcess):
    async def terminate(self) -> tuple[int, float]:
        """SIGTERM, which must find the bot running; the exit code and how long it took."""
        assert self.alive
        began = time.monotonic()
        code = await self.stop()
        return code, time.monotonic() - began

    def tracebacks(self) -> int:
        return self.output().count("Traceback")
