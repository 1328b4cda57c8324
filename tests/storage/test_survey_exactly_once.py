"""Two bot instances on one PostgreSQL, each sweeping due work, ask each survey exactly once.

Each instance has its own engine and connection pool, as two processes would; both sweep at
the same time until nothing is due. ``SKIP LOCKED`` claims keep them off each other's tasks.
"""

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bot.scheduler import run_due_work
from handlers import HandlerConfig
from handlers.context import Unit
from handlers.routing import Routing
from handlers.surveys import plan_return_visit
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Case, CaseStatus, OutboxMessage, Survey, SurveyStatus, Worker
from storage.people import department_by_code, sync_departments
from storage.repositories import ports
from tests.support.clock import FakeClock
from tests.support.databases import fresh_database_url, postgres_url

pytestmark = [
    pytest.mark.skipif(postgres_url() is None, reason="needs TEST_DATABASE_URL"),
    pytest.mark.slow,
]

SURVEYS = 1000


@pytest.fixture
async def postgres(tmp_path: Path, routing: Routing) -> str:
    url = await fresh_database_url("postgresql", str(tmp_path))
    await upgrade(url)
    database = Database(url)
    async with database.transaction() as session:
        await sync_departments(session, routing.departments.values())
    await database.dispose()
    return url


async def resolve_cases(url: str, config: HandlerConfig, clock: FakeClock, count: int) -> None:
    """``count`` resolved cases of as many workers, each with its surveys planned."""
    now = clock.now()
    database = Database(url)
    async with database.transaction() as session:
        department = await department_by_code(session, "anding.construction")
        workers = [
            Worker(telegram_user_id=n, chat_id=n, language="en", created_at=now)
            for n in range(10_000, 10_000 + count)
        ]
        session.add_all(workers)
        await session.flush()
        cases = [
            Case(
                number=f"DX-2026-{n:06d}",
                worker_id=worker.id,
                department_id=department.id or 0,
                status=CaseStatus.RESOLVED,
                language="en",
                county="anding",
                sector="construction",
                reporter_name="Wang Wu",
                reporter_phone="+8613812345678",
                employer="Xijiang Co-op",
                project="Greenhouse repair",
                amount_fen=5_000_000,
                workers_owed=1,
                owed_since=date(2026, 5, 1),
                account="Unpaid since May.",
                deadline_at=now + timedelta(days=15),
                created_at=now,
                resolved_at=now,
                outcome="paid_in_full",
            )
            for n, worker in enumerate(workers, start=1)
        ]
        session.add_all(cases)
        await session.flush()
        unit = Unit(session, config, now, ports=ports(session))
        for case in cases:
            await plan_return_visit(unit, case)
    await database.dispose()


async def test_two_instances_ask_each_of_a_thousand_surveys_exactly_once(
    postgres: str, config: HandlerConfig, clock: FakeClock
) -> None:
    await resolve_cases(postgres, config, clock, SURVEYS)
    clock.advance(hours=24)
    first, second = Database(postgres), Database(postgres)
    try:
        taken = await asyncio.gather(
            run_due_work(first, config, clock, limit=10 * SURVEYS),
            run_due_work(second, config, clock, limit=10 * SURVEYS),
        )
        async with first.reader() as session:
            per_survey = (
                await session.exec(
                    select(OutboxMessage.ref, func.count())
                    .where(col(OutboxMessage.ref).startswith("survey:"))
                    .group_by(col(OutboxMessage.ref))
                )
            ).all()
            statuses = (
                await session.exec(
                    select(Survey.status, func.count())
                    .where(Survey.kind == "return_visit")
                    .group_by(col(Survey.status))
                )
            ).all()
    finally:
        await first.dispose()
        await second.dispose()
    assert sum(taken) == SURVEYS and min(taken) > 0, taken
    assert len(per_survey) == SURVEYS
    assert {count for _ref, count in per_survey} == {1}
    assert dict(statuses) == {SurveyStatus.ASKED: SURVEYS}
