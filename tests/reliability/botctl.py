"""The real bot as a process, for tests that kill it, stop it and run two of it.

It extends the end-to-end ``BotProcess`` with what reliability tests need: delivery limits
scaled to the fake's ``speed``, a start that does not wait (to kill the bot while it is still
starting), and a timed SIGTERM.
"""

import asyncio
import signal
import sys
import time
from pathlib import Path

from tests.e2e.botprocess import BotProcess
from tests.fake_bot_api import FakeBotAPI
from tests.reliability.waiting import until

__all__ = ["ReliableBot", "delivery_env"]

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def delivery_env(speed: float, share: float = 1.0) -> dict[str, str]:
    """Telegram's limits times the fake's ``speed``; ``share`` of them for one of several."""
    return {
        "DELIVERY_GLOBAL_PER_SECOND": str(30 * speed * share),
        "DELIVERY_PRIVATE_PER_SECOND": str(1 * speed),
        "DELIVERY_GROUP_PER_MINUTE": str(20 * speed),
        "DELIVERY_RETRY_BASE_SECONDS": "0.05",
        "DELIVERY_RETRY_MAX_SECONDS": "0.5",
    }


class ReliableBot(BotProcess):
    def __init__(
        self,
        fake: FakeBotAPI,
        database_url: str,
        workdir: Path,
        *,
        speed: float,
        mode: str = "polling",
        driver: str = "aiogram",
        extra_env: dict[str, str] | None = None,
        share: float = 1.0,
    ) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        env = delivery_env(speed, share) | (extra_env or {})
        super().__init__(fake, database_url, workdir, mode=mode, driver=driver, extra_env=env)
        self.kills = 0
        self.stops: list[tuple[int, float]] = []
        """(exit code, seconds from SIGTERM to exit) of each graceful stop."""
        self._seen = 0

    @property
    def ready_method(self) -> str:
        return "setWebhook" if self.mode == "webhook" else "getUpdates"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def spawn(self) -> None:
        """Start the process and return at once; ``wait_ready`` waits for it to receive."""
        self._seen = len(self.fake.calls(self.ready_method))
        with self.log.open("a") as log:
            log.write(f"\n----- start {self.starts} -----\n")
            log.flush()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        self.starts += 1

    async def wait_ready(self) -> None:
        """Until the bot asks Telegram for updates (polling) or registers its webhook."""
        process = self.process
        assert process is not None

        async def receiving() -> bool:
            if process.returncode is not None:
                raise AssertionError(f"the bot exited at start:\n{self.output()[-5000:]}")
            return len(self.fake.calls(self.ready_method)) > self._seen

        await until(receiving, READY_TIMEOUT, every=0.05, what="the bot receiving")

    async def start(self) -> None:
        await self.spawn()
        await self.wait_ready()

    async def kill(self) -> None:
        """SIGKILL, whether it was serving or still starting."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.kills += 1

    async def terminate(self) -> tuple[int, float]:
        """SIGTERM; the exit code and how long the bot took to stop."""
        assert self.process is not None and self.process.returncode is None
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(STOP_TIMEOUT):
            code = await self.process.wait()
        outcome = (code, time.monotonic() - began)
        self.stops.append(outcome)
        return outcome

    def tracebacks(self) -> int:
        return self.output().count("Traceback")
