"""Every migration goes up, down and up again, on each database we support."""

from sqlalchemy import inspect

from storage.db import Database
from storage.migrate import downgrade, upgrade


async def table_names(url: str) -> set[str]:
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await database.dispose()


async def test_migrations_go_up_down_and_up_again(database_url: str) -> None:
    await Database(database_url).dispose()
    await upgrade(database_url)
    assert {
        "case",
        "caseevent",
        "inboxevent",
        "outboxmessage",
        "conversation",
    } <= await table_names(database_url)
    await downgrade(database_url, "base")
    assert await table_names(database_url) <= {"alembic_version"}
    await upgrade(database_url)
    assert "case" in await table_names(database_url)
