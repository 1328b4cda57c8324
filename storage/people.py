"""Workers and departments, and whether the bot can reach their chats."""

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.due import cancel, schedule
from storage.models import CaseEvent, Department, LostGroup, Worker
from storage.upsert import insert_for

__all__ = [
    "LOST_GROUP",
    "NOT_REACHED",
    "DepartmentRecord",
    "bot_back_in_group",
    "department_by_code",
    "get_or_create_worker",
    "language_of",
    "lost_since",
    "mark_chat_unreachable",
    "notice_ref",
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
    """What the routing file says of a department (``handlers.routing.DepartmentEntry``)."""

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


LOST_GROUP = "lost_group"
"""The due task that tells the administrators a group removed the bot (``chat:<id>``)."""
NOT_REACHED = "worker_unreachable"
"""The case event of a notice the worker could not be sent: they blocked the bot."""
NOTICE_REF = re.compile(r"notice:(?P<case>[0-9]{1,18})")


def notice_ref(case_id: int) -> str:
    """The outbox ref of a notice to a case's worker, so that a refusal lands on the case."""
    return f"notice:{case_id}"


async def mark_chat_unreachable(
    session: AsyncSession, chat_id: int, at: datetime, ref: str | None = None
) -> None:
    """A chat refused the bot (a 403, or the bot's membership update): a worker who blocked
    it, cleared when they write again; or a group that removed it, flagged until the bot is
    added back. The first refusal of a group plans the administrators' alert, so they are
    told once however many messages fail after it. A refused case notice (its outbox ``ref``)
    is recorded on its case, as the notices held back afterwards are."""
    refused = NOTICE_REF.fullmatch(ref or "")
    if refused is not None:
        case_id = int(refused["case"])
        session.add(CaseEvent(case_id=case_id, actor="system", kind=NOT_REACHED, created_at=at))
    if chat_id < 0:
        inserted = await session.exec(
            insert_for(session, LostGroup)
            .values(chat_id=chat_id, since=at)
            .on_conflict_do_nothing(index_elements=["chat_id"])
        )
        if inserted.rowcount:
            await schedule(session, LOST_GROUP, _subject(chat_id), at, at, data={"chat": chat_id})
        return
    await session.exec(
        update(Worker)
        .where(col(Worker.chat_id) == chat_id, col(Worker.unreachable_since).is_(None))
        .values(unreachable_since=at)
    )


async def bot_back_in_group(session: AsyncSession, chat_id: int) -> None:
    """The bot was added back: the flag clears, so a later removal is told again."""
    await session.exec(delete(LostGroup).where(col(LostGroup.chat_id) == chat_id))
    await cancel(session, _subject(chat_id), [LOST_GROUP])


async def lost_since(session: AsyncSession, chat_id: int) -> datetime | None:
    flag = await session.get(LostGroup, chat_id)
    return None if flag is None else flag.since


def _subject(chat_id: int) -> str:
    return f"chat:{chat_id}"


async def department_by_code(session: AsyncSession, code: str) -> Department:
    return (await session.exec(select(Department).where(Department.code == code))).one()
