"""Rows in bulk, for benchmarks and load tests: workers, cases, surveys, due work, conversations.

Rows go in through the database driver itself (``executemany`` on SQLite, ``COPY`` on
PostgreSQL) after SQLAlchemy's own type conversion, so a million rows take seconds, not minutes,
and read back exactly as if the bot had written them. Ids are given explicitly (the database
must be fresh); PostgreSQL's sequences are moved past them afterwards.
"""

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import select

from handlers.report_arrears.flow import FLOW
from handlers.staff.deadlines import DEADLINE, REMINDER, deadline_subject, reminder_subject
from handlers.surveys.questions import RETURN_VISIT
from storage.db import Database
from storage.models import (
    Case,
    CaseStatus,
    Conversation,
    Department,
    DueStatus,
    DueTask,
    Survey,
    SurveyStatus,
    Worker,
    employer_key,
)
from storage.surveys import SURVEY_TASK, turn_key

__all__ = [
    "FIRST_CHAT",
    "a_case",
    "add_case",
    "bulk_insert",
    "case_row",
    "department_id",
    "due_row",
    "seed_future_due_work",
    "seed_open_cases",
    "seed_resolved_cases",
    "workers",
]

FIRST_CHAT = 500_000_000
"""Seeded workers' chat ids start here, far from the e2e workers' ids."""
CHUNK = 20_000
DEPARTMENT = "anding.construction"


def table_of(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


async def bulk_insert(db: Database, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) into ``model``'s table in one transaction."""
    if not rows:
        return
    table = table_of(model)
    dialect = db.engine.dialect
    columns = list(rows[0])
    processors = [
        (name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in columns
    ]

    def records(chunk: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [tuple(row[n] if p is None else p(row[n]) for n, p in processors) for row in chunk]

    async with db.engine.begin() as connection:
        driver = await raw_driver(connection)
        for start in range(0, len(rows), CHUNK):
            chunk = records(rows[start : start + CHUNK])
            if db.is_sqlite:
                names = ", ".join(f'"{n}"' for n in columns)
                marks = ", ".join("?" * len(columns))
                await driver.executemany(
                    f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', chunk
                )
            else:
                await driver.copy_records_to_table(table.name, records=chunk, columns=columns)
    if not db.is_sqlite and "id" in columns:
        await move_sequence_past(db, table)


async def raw_driver(connection: AsyncConnection) -> Any:
    """aiosqlite's or asyncpg's own connection, inside SQLAlchemy's transaction."""
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def move_sequence_past(db: Database, table: Table) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f'(SELECT max(id) FROM "{table.name}"))'
            )
        )


async def department_id(db: Database, code: str = DEPARTMENT) -> int:
    async with db.reader() as session:
        found = (await session.exec(select(Department.id).where(Department.code == code))).one()
    assert found is not None
    return found


def workers(count: int, first_id: int, at: datetime) -> Iterator[dict[str, Any]]:
    for n in range(count):
        chat = FIRST_CHAT + first_id + n
        yield {
            "id": first_id + n,
            "telegram_user_id": chat,
            "chat_id": chat,
            "name": f"Worker {n}",
            "phone": "+8613812345678",
            "language": "en",
            "created_at": at,
        }


def case_row(
    n: int, worker: int, department: int, status: str, created: datetime, deadline: datetime
) -> dict[str, Any]:
    return {
        "id": worker,
        "number": f"BN-2026-{worker:07d}",
        "worker_id": worker,
        "department_id": department,
        "status": status,
        "source": "telegram",
        "language": "en",
        "county": "anding",
        "sector": "construction",
        "reporter_name": f"Worker {n}",
        "reporter_phone": "+8613812345678",
        "employer": f"Employer {n % 977}",
        "employer_key": employer_key(f"Employer {n % 977}"),
        "project": f"Project {n}",
        "amount_fen": 1_500_000 + n,
        "workers_owed": 1 + n % 7,
        "owed_since": date(2025, 1 + n % 12, 1),
        "account": "We built the greenhouses and were not paid for three months.",
        "deadline_at": deadline,
        "created_at": created,
        "hard": False,
        "hard_reasons": [],
    }


def a_case(department_id: int, **fields: Any) -> Case:
    """A case of the example routing's Anding × construction department, as a worker reported
    it; ``fields`` set the rest (status, dates, outcome…)."""
    values: dict[str, Any] = {
        "number": "DX-2026-000001",
        "department_id": department_id,
        "language": "en",
        "county": "anding",
        "sector": "construction",
        "reporter_name": "Wang Wu",
        "reporter_phone": "+8613812345678",
        "employer": "Xijiang Co-op",
        "project": "Greenhouses",
        "amount_fen": 50_000_00,
        "workers_owed": 3,
        "owed_since": date(2026, 6, 1),
        "account": "Not paid.",
    }
    return Case(**(values | fields))


async def add_case(db: Database, **fields: Any) -> int:
    """``a_case`` stored in its own transaction; its id."""
    department = await department_id(db)
    async with db.transaction() as session:
        case = a_case(department, **fields)
        session.add(case)
        await session.flush()
        assert case.id is not None
        return case.id


async def seed_resolved_cases(
    db: Database, count: int, now: datetime, *, due_at: datetime | None = None, first_id: int = 1
) -> None:
    """``count`` workers, each with a case resolved a day ago whose return visit is due at
    ``due_at`` (a minute ago by default)."""
    department = await department_id(db)
    due_at = due_at or now - timedelta(minutes=1)
    resolved = now - timedelta(days=1)
    cases = []
    for n in range(count):
        row = case_row(n, first_id + n, department, CaseStatus.RESOLVED, now, now)
        row |= {
            "created_at": now - timedelta(days=10),
            "resolved_at": resolved,
            "outcome": "paid_in_full",
        }
        cases.append(row)
    surveys = [
        {
            "id": first_id + n,
            "case_id": first_id + n,
            "kind": RETURN_VISIT,
            "round": 1,
            "status": SurveyStatus.SCHEDULED,
            "due_at": due_at,
            "reminders": 0,
            "created_at": resolved,
        }
        for n in range(count)
    ]
    turns = [
        due_row(SURVEY_TASK, turn_key(first_id + n, 0), due_at, resolved, first_id + n)
        | {"data": {"survey": first_id + n, "turn": 0}}
        for n in range(count)
    ]
    await bulk_insert(db, Worker, list(workers(count, first_id, resolved)))
    await bulk_insert(db, Case, cases)
    await bulk_insert(db, Survey, surveys)
    await bulk_insert(db, DueTask, turns)


def due_row(
    kind: str, subject: str, due_at: datetime, created: datetime, case_id: int | None = None
) -> dict[str, Any]:
    return {
        "kind": kind,
        "subject": subject,
        "case_id": case_id,
        "due_at": due_at,
        "status": DueStatus.PENDING,
        "attempts": 0,
        "data": {},
        "created_at": created,
    }


async def seed_future_due_work(db: Database, count: int, now: datetime) -> None:
    """``count`` pending tasks spread over the coming year, none of them due yet."""
    kinds = (REMINDER, DEADLINE, SURVEY_TASK)
    rows = [
        due_row(kinds[n % 3], f"future:{n}", now + timedelta(days=1, seconds=n * 31), now)
        for n in range(count)
    ]
    await bulk_insert(db, DueTask, rows)


async def seed_open_cases(db: Database, count: int, now: datetime, first_id: int = 1) -> None:
    """``count`` workers, each with an open case (filed over the last 30 days, deadline 15
    days after filing, with its reminders and deadline planned) and a second report half
    written: an open conversation at the phone step."""
    department = await department_id(db)
    cases, tasks, talks = [], [], []
    for n in range(count):
        worker = first_id + n
        created = now - timedelta(days=30) * (n / count)
        deadline = created + timedelta(days=15)
        status = CaseStatus.OVERDUE if deadline <= now else CaseStatus.IN_PROGRESS
        cases.append(case_row(n, worker, department, status, created, deadline))
        if deadline > now:
            tasks.append(due_row(DEADLINE, deadline_subject(worker), deadline, created, worker))
            for days in (3, 1):
                if (at := deadline - timedelta(days=days)) > now:
                    subject = reminder_subject(worker, days)
                    reminder = due_row(REMINDER, subject, at, created, worker)
                    tasks.append(reminder | {"data": {"days": days}})
        talks.append(
            {
                "chat_id": FIRST_CHAT + worker,
                "flow": FLOW,
                "step": "phone",
                "data": {"answers": {"name": f"Worker {n}"}},
                "updated_at": now - timedelta(minutes=n % 600),
            }
        )
    await bulk_insert(db, Worker, list(workers(count, first_id, now - timedelta(days=31))))
    await bulk_insert(db, Case, cases)
    await bulk_insert(db, DueTask, tasks)
    await bulk_insert(db, Conversation, talks)
