"""Every migration goes up, down and up again, on each database we support."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, inspect, text
from sqlmodel import col, select

from handlers.routing import Routing
from storage.columns import UtcDateTime
from storage.db import Database
from storage.migrate import downgrade, upgrade
from storage.models import Case, CaseStatus, SenderHeartbeat, Worker
from storage.people import sync_departments
from tests.support.seed import bulk_insert, case_row, department_id, workers


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


async def test_cases_filed_before_the_employer_key_get_theirs_on_upgrade(
    database_url: str, routing: Routing
) -> None:
    await upgrade(database_url, "0003")
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            await sync_departments(session, routing.departments.values())
        department = await department_id(database)
        now = datetime(2026, 12, 1, tzinfo=UTC)
        await bulk_insert(database, Worker, list(workers(2, 1, now)))
        rows = [case_row(n, 1 + n, department, CaseStatus.RECEIVED, now, now) for n in range(2)]
        rows[1]["employer"] = "ＸＩＪＩＡＮＧ　Co-op"
        await bulk_insert(database, Case, [without_key(row) for row in rows])
        await upgrade(database_url)
        async with database.reader() as session:
            keys = (await session.exec(select(Case.employer_key).order_by(col(Case.id)))).all()
    finally:
        await database.dispose()
    assert keys == ["employer 0", "xijiang co-op"]


def without_key(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != "employer_key"}


async def test_live_senders_keep_their_heartbeats_when_the_table_is_renamed(
    database_url: str,
) -> None:
    await upgrade(database_url, "0012")
    database = Database(database_url)
    beat = datetime(2026, 12, 8, 1, tzinfo=UTC)
    try:
        async with database.engine.begin() as connection:
            insert = text("INSERT INTO sender (id, heartbeat_at) VALUES ('live', :at)")
            at = bindparam("at", beat, type_=UtcDateTime())
            await connection.execute(insert.bindparams(at))
        await upgrade(database_url)
        async with database.reader() as session:
            kept = (await session.exec(select(SenderHeartbeat))).all()
        assert [(row.id, row.heartbeat_at) for row in kept] == [("live", beat)]
        await downgrade(database_url, "0012")
        async with database.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT id FROM sender"))).all()
        assert [row.id for row in rows] == ["live"]
    finally:
        await database.dispose()
