"""The morning digest: what is overdue or due soon, to whoever must act on it.

Each department hears of its open cases that are overdue or due within three days, soonest
first; each county's leaders of the county's overdue cases; the city's leaders the totals. A
chat with nothing to report hears nothing. The digest of a day is one due task
(``digest:2026-11-27``) planned only if absent, so two instances, a restart, or a bot that was
down at digest time and comes back later that day all send it exactly once.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import col, func, select

from handlers.case_card import OPEN_STATUSES
from handlers.context import Unit
from handlers.formatting import N_, STATUS_NAMES, department_name, format_date
from handlers.i18n import Translator, translator
from handlers.replies import SendMessage, escape
from storage.due import schedule_once
from storage.models import Case, Department, DueTask

__all__ = ["DIGEST", "morning_digest", "plan_digest"]

DIGEST = "digest"
DUE_SOON_DAYS = 3
MAX_LINES = 40
"""Keeps a digest well inside Telegram's 4,096 characters."""
EMPLOYER_WIDTH = 30

DEPARTMENT_HEAD = N_(
    "📋 <b>Morning digest, {date}</b>\nOverdue: {overdue} · due within {days} days: {soon}"
)
LEAD_HEAD = N_("⚠️ <b>Overdue cases, {date}</b>: {count}")
CITY_HEAD = N_("📊 <b>City totals, {date}</b>")
CITY_LINE = N_("{county}: overdue {overdue}, due within {days} days {soon}")
CITY_TOTAL = N_("Total: overdue {overdue}, due within {days} days {soon}")
MORE = N_("… and {count} more")

Row = tuple[Case, Department]
Tally = Counter[tuple[int, str]]
"""Cases per (department id, county)."""


async def plan_digest(unit: Unit, at: time) -> None:
    """Plan the digest of today (local) at ``at``, unless it is planned or sent already."""
    day = unit.local_now.date()
    due_at = datetime.combine(day, at, unit.config.zone)
    await schedule_once(unit.session, DIGEST, f"digest:{day.isoformat()}", due_at, unit.now)


async def send_digest(unit: Unit, task: DueTask) -> None:
    await morning_digest(unit)


async def morning_digest(unit: Unit) -> None:
    """Counted in the database, and at most ``MAX_LINES`` cases read for each chat: a city with
    tens of thousands of overdue cases gets the same short digests at the same small cost."""
    urgent = await tally(unit, due_soon(unit))
    if not urgent:
        return
    overdue = await tally(unit, past_deadline(unit))
    _ = translator(unit.config.default_language)
    digests = [
        *await department_digests(unit, urgent, overdue, _),
        *await lead_digests(unit, overdue, _),
    ]
    for chat, text in digests:
        unit.send(SendMessage(chat, text))
    city_chat = unit.config.routing.city_lead_chat_id
    if city_chat is not None:
        unit.send(SendMessage(city_chat, city_totals(unit, urgent, overdue, _)))


def due_soon(unit: Unit) -> ColumnElement[bool]:
    return col(Case.deadline_at) <= unit.now + timedelta(days=DUE_SOON_DAYS)


def past_deadline(unit: Unit) -> ColumnElement[bool]:
    return col(Case.deadline_at) <= unit.now


async def tally(unit: Unit, deadline: ColumnElement[bool]) -> Tally:
    """Open cases meeting ``deadline``, counted per department and county."""
    statement = (
        select(Case.department_id, Case.county, func.count())
        .where(col(Case.status).in_(OPEN_STATUSES), deadline)
        .group_by(col(Case.department_id), col(Case.county))
    )
    rows = (await unit.session.exec(statement)).all()
    return Counter({(department, county): count for department, county, count in rows})


async def first_cases(unit: Unit, *conditions: ColumnElement[bool]) -> Sequence[Row]:
    """The open cases meeting ``conditions`` that a digest shows: soonest deadline first."""
    statement = (
        select(Case, Department)
        .join(Department, col(Department.id) == col(Case.department_id))
        .where(col(Case.status).in_(OPEN_STATUSES), *conditions)
        .order_by(col(Case.deadline_at), col(Case.id))
        .limit(MAX_LINES)
    )
    return (await unit.session.exec(statement)).all()


async def department_digests(
    unit: Unit, urgent: Tally, overdue: Tally, _: Translator
) -> list[tuple[int, str]]:
    ids = {department for department, _county in urgent}
    found = await unit.session.exec(select(Department).where(col(Department.id).in_(ids)))
    by_chat: dict[int, set[int]] = defaultdict(set)
    for department in found.all():
        by_chat[department.chat_id].add(department.id or 0)
    digests = []
    for chat, mine in by_chat.items():
        total = sum(n for (department, _c), n in urgent.items() if department in mine)
        late = sum(n for (department, _c), n in overdue.items() if department in mine)
        head = _(DEPARTMENT_HEAD).format(
            date=today(unit), overdue=late, soon=total - late, days=DUE_SOON_DAYS
        )
        rows = await first_cases(unit, col(Case.department_id).in_(mine), due_soon(unit))
        lines = [case_line(unit, case, None, _) for case, _d in rows]
        digests.append((chat, listing(head, lines, total, _)))
    return digests


async def lead_digests(unit: Unit, overdue: Tally, _: Translator) -> list[tuple[int, str]]:
    """Overdue cases, to the chat of each case's county leaders (the city's if it has none)."""
    by_chat: dict[int, set[str]] = defaultdict(set)
    for _department, county in overdue:
        chat = unit.config.routing.lead_chat_for(county)
        if chat is not None:
            by_chat[chat].add(county)
    digests = []
    for chat, counties in by_chat.items():
        total = sum(n for (_d, county), n in overdue.items() if county in counties)
        head = _(LEAD_HEAD).format(date=today(unit), count=total)
        rows = await first_cases(unit, col(Case.county).in_(counties), past_deadline(unit))
        lines = [case_line(unit, case, department, _) for case, department in rows]
        digests.append((chat, listing(head, lines, total, _)))
    return digests


def city_totals(unit: Unit, urgent: Tally, overdue: Tally, _: Translator) -> str:
    """Overdue and due-soon counts per county, in the routing file's order, and in all."""
    late: Counter[str] = Counter()
    soon: Counter[str] = Counter()
    for (department, county), count in urgent.items():
        late[county] += overdue[department, county]
        soon[county] += count - overdue[department, county]
    order = {c.code: i for i, c in enumerate(unit.config.routing.counties)}
    counties = sorted(late | soon, key=lambda code: (order.get(code, len(order)), code))
    lines = [_(CITY_HEAD).format(date=today(unit))]
    for code in counties:
        name = county_name(unit, code, _)
        lines.append(
            _(CITY_LINE).format(
                county=name, overdue=late[code], soon=soon[code], days=DUE_SOON_DAYS
            )
        )
    total = _(CITY_TOTAL).format(overdue=late.total(), soon=soon.total(), days=DUE_SOON_DAYS)
    return "\n".join([*lines, total])


def case_line(unit: Unit, case: Case, department: Department | None, _: Translator) -> str:
    """``🦴 DX-2026-000042 · 安定区 · 住建局 · Xijiang Co-op · 2026-12-11 · Overdue``."""
    employer = case.employer
    if len(employer) > EMPLOYER_WIDTH:
        employer = employer[: EMPLOYER_WIDTH - 1] + "…"
    parts = [f"<b>{escape(case.number)}</b>"]
    if department is not None:
        parts += [
            county_name(unit, case.county, _),
            escape(department_name(department, _.language)),
        ]
    parts += [
        escape(employer),
        format_date(case.deadline_at, unit.config.zone),
        _(STATUS_NAMES[case.status]),
    ]
    return ("🦴 " if case.hard else "") + " · ".join(parts)


def listing(head: str, lines: list[str], total: int, _: Translator) -> str:
    """The head, the lines, and how many of the ``total`` cases did not fit."""
    more = [_(MORE).format(count=total - len(lines))] if total > len(lines) else []
    return "\n".join([head, "", *lines, *more])


def today(unit: Unit) -> str:
    return format_date(unit.now, unit.config.zone)


def county_name(unit: Unit, code: str, _: Translator) -> str:
    return escape(unit.config.routing.county_name(code, _.language))
