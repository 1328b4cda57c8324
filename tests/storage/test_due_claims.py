"""Several instances share due work on PostgreSQL (``SKIP LOCKED``); SQLite serves one."""

import asyncio

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.scheduler import DUE_WORK, run_due_work
from handlers import HandlerConfig
from storage.db import Database
from storage.models import DueTask
from tests.support.clock import FakeClock
from tests.support.databases import postgres_url
from tests.support.due_work import echo, outbox_texts, plan

pytestmark = pytest.mark.skipif(postgres_url() is None, reason="needs TEST_DATABASE_URL")


@pytest.fixture(autouse=True)
def echo_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(DUE_WORK, "test_echo", echo)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_instances_share_200_due_tasks_and_do_each_exactly_once(
    db: Database, config: HandlerConfig, clock: FakeClock
) -> None:
    for number in range(200):
        await plan(db, clock, "test_echo", f"task {number}")
    other = Database(str(db.url.render_as_string(hide_password=False)))
    try:
        taken = await asyncio.gather(
            run_due_work(db, config, clock, limit=1000),
            run_due_work(other, config, clock, limit=1000),
        )
    finally:
        await other.dispose()

    assert sum(taken) == 200
    texts = await outbox_texts(db)
    assert len(texts) == 200 and len(set(texts)) == 200
    async with db.reader() as session:
        statuses = (
            await session.exec(select(DueTask.status, func.count()).group_by(DueTask.status))
        ).all()
    assert statuses == [("done", 200)]
