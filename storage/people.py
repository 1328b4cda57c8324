"""Workers and departments."""

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Department, Worker

__all__ = [
    "DepartmentRecord",
    "department_by_code",
    "get_or_create_worker",
    "language_of",
    "mark_chat_unreachable",
    "sync_departments",
]


async def get_or_create_worker(
    session: AsyncSession, telegram_user_id: int, chat_id: int, at: datetime
) -> Worker:
    worker = (
        await session.exec(select(Worker).where(Worker.telegram_user_id == telegram_user_id))
    ).first()
    if worker is None:
        worker = Worker(telegram_user_id=telegram_user_id, chat_id=chat_id, created_at=at)
        session.add(worker)
        await session.flush()
    return worker


async def language_of(session: AsyncSession, telegram_user_id: int) -> str | None:
    """The language a worker chose, if this user is a worker who chose one."""
    statement = select(Worker.language).where(Worker.telegram_user_id == telegram_user_id)
    return (await session.exec(statement)).first()


class DepartmentRecord(Protocol):
    """What the routing file says of a department."""

    @property
    def code(self) -> str: ...
    @property
    def name_zh(self) -> str: ...
    @property
    def name_en(self) -> str: ...
    @property
    def chat_id(self) -> int: ...
    @property
    def county(self) -> str | None: ...
    @property
    def deadline_days(self) -> int | None: ...


async def sync_departments(session: AsyncSession, departments: Iterable[DepartmentRecord]) -> None:
    """Mirror the routing file into the table; never deletes (cases refer to departments)."""
    existing = {d.code: d for d in (await session.exec(select(Department))).all()}
    for spec in departments:
        row = existing.get(spec.code) or Department(
            code=spec.code, name_zh="", name_en="", chat_id=spec.chat_id
        )
        row.name_zh, row.name_en = spec.name_zh, spec.name_en
        row.chat_id, row.county, row.deadline_days = spec.chat_id, spec.county, spec.deadline_days
        session.add(row)


async def mark_chat_unreachable(session: AsyncSession, chat_id: int, at: datetime) -> None:
    """A 403 from Telegram: the worker blocked the bot. Cleared when they write again."""
    await session.exec(
        update(Worker)
        .where(col(Worker.chat_id) == chat_id, col(Worker.unreachable_since).is_(None))
        .values(unreachable_since=at)
    )


async def department_by_code(session: AsyncSession, code: str) -> Department:
    return (await session.exec(select(Department).where(Department.code == code))).one()
