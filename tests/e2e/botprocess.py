"""The bot as a real process, so tests can SIGKILL it, restart it and read its exit code."""

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from bot.settings import EXAMPLE_ROUTING_FILE
from tests.fake_bot_api import FakeBotAPI
from tests.support.waiting import until

__all__ = ["ROOT", "SPEED", "BotProcess", "delivery_env", "free_port"]

ROOT = Path(__file__).resolve().parents[2]
SPEED = 20.0
"""The fake's limits and the bot's delivery settings are scaled up together, to keep tests quick."""
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def delivery_env(speed: float) -> dict[str, str]:
    """Telegram's limits times the fake's ``speed``; quick retries, so that tests of errors
    do not wait long."""
    return {
        "DELIVERY_GLOBAL_PER_SECOND": str(30 * speed),
        "DELIVERY_PRIVATE_PER_SECOND": str(1 * speed),
        "DELIVERY_GROUP_PER_MINUTE": str(20 * speed),
        "DELIVERY_RETRY_BASE_SECONDS": "0.05",
        "DELIVERY_RETRY_MAX_SECONDS": "0.5",
    }


class BotProcess:
    def __init__(
        self,
        fake: FakeBotAPI,
        database_url: str,
        workdir: Path,
        *,
        mode: str = "polling",
        driver: str = "aiogram",
        speed: float = SPEED,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.fake = fake
        self.mode = mode
        self.workdir = workdir
        self.log = workdir / "bot.log"
        self.port = free_port()
        self.secret = "test-secret_0123456789"
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": fake.token,
            "BOT_DRIVER": driver,
            "BOT_MODE": mode,
            "BOT_API_BASE_URL": fake.api_base,
            "WEBHOOK_URL": f"http://127.0.0.1:{self.port}/telegram",
            "WEBHOOK_SECRET": self.secret,
            "WEBHOOK_LISTEN": f"127.0.0.1:{self.port}",
            "DATABASE_URL": database_url,
            "ROUTING_FILE": str(EXAMPLE_ROUTING_FILE),
            **delivery_env(speed),
            **(extra_env or {}),
        }
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self._seen = 0

    @property
    def ready_method(self) -> str:
        """The Bot API call that shows the bot is receiving."""
        return "setWebhook" if self.mode == "webhook" else "getUpdates"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def spawn(self) -> None:
        """Start the process and return at once (a test may kill it while it starts)."""
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
        """Start and wait until the bot is receiving."""
        await self.spawn()
        await self.wait_ready()

    async def kill(self) -> None:
        """SIGKILL: no clean-up at all, as in a power cut or OOM kill; also while starting."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int:
        """SIGTERM and the exit code."""
        if self.process is None or self.process.returncode is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(STOP_TIMEOUT):
            return await self.process.wait()

    async def restart(self) -> None:
        await self.kill()
        await self.start()

    def output(self) -> str:
        return self.log.read_text()
