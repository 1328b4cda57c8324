"""The databases a test runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set."""

import os

import asyncpg

from bot.settings import DatabaseSettings

__all__ = ["database_kinds", "fresh_database_url", "postgres_url"]


def postgres_url() -> str | None:
    raw = os.environ.get("TEST_DATABASE_URL")
    return DatabaseSettings(database_url=raw).database_url if raw else None


def database_kinds() -> list[str]:
    return ["sqlite", "postgresql"] if postgres_url() else ["sqlite"]


async def fresh_database_url(kind: str, directory: str) -> str:
    """An empty database of ``kind``: a new SQLite file, or the PostgreSQL test schema emptied."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{directory}/test.sqlite3"
    url = postgres_url()
    assert url is not None
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()
    return url
