"""The databases a test runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.

Migrating a database takes about a second, longer than most tests; so the schema is migrated
once per run and each test that wants a migrated database gets a copy (SQLite: the file copied)
or the same schema emptied (PostgreSQL: every table truncated, its ids restarted). A test that
wants an empty database (the migrations' own tests, ``arrears-bot migrate``) still gets one.
"""

import os
import shutil
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from alembic.script import ScriptDirectory

from bot.settings import DatabaseSettings
from storage.migrate import alembic_config, upgrade

__all__ = ["database_kinds", "fresh_database_url", "migrated_database_url", "postgres_url"]

TEMPLATES = Path(os.environ.get("TMPDIR", "/tmp")) / f"arrears-bot-test-templates-{os.getpid()}"


def postgres_url() -> str | None:
    """TEST_DATABASE_URL; under pytest-xdist each worker has a database of its own beside it
    (``test`` → ``test_gw0``), created on first use."""
    raw = os.environ.get("TEST_DATABASE_URL")
    if not raw:
        return None
    url = DatabaseSettings(database_url=raw).database_url
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        parts = urlsplit(url)
        url = urlunsplit(parts._replace(path=f"{parts.path}_{worker}"))
    return url


def database_kinds() -> list[str]:
    return ["sqlite", "postgresql"] if postgres_url() else ["sqlite"]


async def fresh_database_url(kind: str, directory: str) -> str:
    """An empty database of ``kind``: a new SQLite file, or the PostgreSQL test schema emptied."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{directory}/test.sqlite3"
    url = postgres_url()
    assert url is not None
    connection = await _connect(url)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()
    return url


async def migrated_database_url(kind: str, directory: str) -> str:
    """A database of ``kind`` at the newest revision with no rows in it."""
    if kind == "sqlite":
        template = await _sqlite_template()
        shutil.copyfile(template, Path(directory) / "test.sqlite3")
        return f"sqlite+aiosqlite:///{directory}/test.sqlite3"
    url = postgres_url()
    assert url is not None
    connection = await _connect(url)
    try:
        if await _revision(connection) != _head():
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            await upgrade(url)
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> 'alembic_version'"
        )
        names = ", ".join(f'"{row["tablename"]}"' for row in tables)
        await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()
    return url


async def _sqlite_template() -> Path:
    template = TEMPLATES / "migrated.sqlite3"
    if not template.exists():
        TEMPLATES.mkdir(parents=True, exist_ok=True)
        building = TEMPLATES / "building.sqlite3"
        building.unlink(missing_ok=True)
        await upgrade(f"sqlite+aiosqlite:///{building}")
        building.replace(template)
    return template


@cache
def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def _revision(connection: asyncpg.Connection) -> str | None:
    exists = await connection.fetchval("SELECT to_regclass('public.alembic_version') IS NOT NULL")
    if not exists:
        return None
    value = await connection.fetchval("SELECT version_num FROM alembic_version")
    return str(value) if value is not None else None


async def _connect(url: str) -> asyncpg.Connection:
    """A connection to the test database, creating it first if it is a worker's own."""
    plain = url.replace("postgresql+asyncpg://", "postgresql://")
    try:
        return await asyncpg.connect(plain)
    except asyncpg.InvalidCatalogNameError:
        parts = urlsplit(plain)
        admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
        try:
            await admin.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')
        finally:
            await admin.close()
        return await asyncpg.connect(plain)


def remove_templates() -> None:
    shutil.rmtree(TEMPLATES, ignore_errors=True)
