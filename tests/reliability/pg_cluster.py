"""A throwaway PostgreSQL cluster: initdb into a temporary folder, a free port on 127.0.0.1.

Tests that stop and start the database server (or want one to themselves) must never touch the
shared server, so they start their own with the machine's PostgreSQL binaries. PostgreSQL
refuses to run as root; when the tests run as root, the cluster runs as the ``postgres`` user
through ``runuser`` (the folder is handed to that user).
"""

import asyncio
import contextlib
import glob
import os
import pwd
import shutil
import tempfile
from pathlib import Path

from tests.e2e.botprocess import free_port

__all__ = ["PgCluster", "find_binaries"]

SEARCH = ("/usr/local/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True))
START_TIMEOUT = 60.0


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: from PATH, else the usual places."""
    on_path = shutil.which("initdb")
    candidates = [str(Path(on_path).parent)] if on_path else []
    for folder in [*candidates, *SEARCH]:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


class PgCluster:
    """``await init()`` once, then ``start``/``stop`` as often as a test likes; ``destroy``."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.root = Path(tempfile.mkdtemp(prefix="arrears-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.running = False
        self._user: str | None = None
        if os.geteuid() == 0:
            self._user = "postgres"
            owner = pwd.getpwnam(self._user)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)

    @property
    def url(self) -> str:
        """The ``postgres`` database as superuser ``postgres`` (trust auth, loopback only)."""
        return self.database_url("postgres")

    def database_url(self, database: str, user: str = "postgres") -> str:
        return f"postgresql+asyncpg://{user}@127.0.0.1:{self.port}/{database}"

    async def init(self) -> None:
        await self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    async def start(self) -> None:
        # fsync off: the OS keeps what PostgreSQL wrote across a server crash, which is all
        # these tests do to it. synchronous_commit stays on, so a commit is in the WAL.
        options = (
            f"-p {self.port} -h 127.0.0.1 -k {self.root} -c fsync=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        await self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            str(int(START_TIMEOUT)),
            "start",
        )
        self.running = True

    async def stop(self, mode: str = "fast") -> None:
        """``fast``: connections are cut, a clean shutdown; ``immediate``: as in a crash."""
        await self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
        self.running = False

    async def destroy(self) -> None:
        if self.running:
            with contextlib.suppress(RuntimeError):
                await self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    async def _run(self, program: str, *args: str) -> None:
        command = [str(self.binaries / program), *args]
        if self._user is not None:
            command = ["runuser", "-u", self._user, "--", *command]
        process = await asyncio.create_subprocess_exec(
            *command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=self.root,
        )
        async with asyncio.timeout(START_TIMEOUT + 30):
            output, _ = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"{program} failed ({process.returncode}): {output.decode()}")
