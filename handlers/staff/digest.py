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

from sqlmodel import col, select

from handlers.case_card import OPEN_STATUSES
from handlers.context import Unit
from handlers.due_work import due
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


async def plan_digest(unit: Unit, at: time) -> None:
    """Plan the digest of today (local) at ``at``, unless it is planned or sent already."""
    day = unit.local_now.date()
    due_at = datetime.combine(day, at, unit.config.zone)
    await schedule_once(unit.session, DIGEST, f"digest:{day.isoformat()}", due_at, unit.now)


@due(DIGEST)
async def send_digest(unit: Unit, task: DueTask) -> None:
    await morning_digest(unit)


async def morning_digest(unit: Unit) -> None:
    rows = await overdue_or_due_soon(unit)
    if not rows:
        return
    _ = translator(unit.config.default_language)
    for chat, text in [*department_digests(unit, rows, _), *lead_digests(unit, rows, _)]:
        unit.send(SendMessage(chat, text))
    city_chat = unit.config.routing.city_lead_chat_id
    if city_chat is not None:
        unit.send(SendMessage(city_chat, city_totals(unit, rows, _)))


async def overdue_or_due_soon(unit: Unit) -> Sequence[Row]:
    """Open cases whose deadline is past or within three days, soonest first."""
    statement = (
        select(Case, Department)
        .join(Department, col(Department.id) == col(Case.department_id))
        .where(
            col(Case.status).in_(OPEN_STATUSES),
            col(Case.deadline_at) <= unit.now + timedelta(days=DUE_SOON_DAYS),
        )
        .order_by(col(Case.deadline_at), col(Case.id))
    )
    return (await unit.session.exec(statement)).all()


def department_digests(unit: Unit, rows: Sequence[Row], _: Translator) -> list[tuple[int, str]]:
    by_department: dict[int, list[Row]] = defaultdict(list)
    for case, department in rows:
        by_department[department.chat_id].append((case, department))
    digests = []
    for chat, mine in by_department.items():
        overdue = sum(is_overdue(unit, case) for case, _d in mine)
        head = _(DEPARTMENT_HEAD).format(
            date=today(unit), overdue=overdue, soon=len(mine) - overdue, days=DUE_SOON_DAYS
        )
        lines = [case_line(unit, case, None, _) for case, _d in mine]
        digests.append((chat, listing(head, lines, _)))
    return digests


def lead_digests(unit: Unit, rows: Sequence[Row], _: Translator) -> list[tuple[int, str]]:
    """Overdue cases, to the chat of each case's county leaders (the city's if it has none)."""
    by_chat: dict[int, list[Row]] = defaultdict(list)
    for case, department in rows:
        chat = unit.config.routing.lead_chat_for(case.county)
        if chat is not None and is_overdue(unit, case):
            by_chat[chat].append((case, department))
    digests = []
    for chat, overdue in by_chat.items():
        head = _(LEAD_HEAD).format(date=today(unit), count=len(overdue))
        lines = [case_line(unit, case, department, _) for case, department in overdue]
        digests.append((chat, listing(head, lines, _)))
    return digests


def city_totals(unit: Unit, rows: Sequence[Row], _: Translator) -> str:
    """Overdue and due-soon counts per county, in the routing file's order, and in all."""
    overdue = Counter(case.county for case, _d in rows if is_overdue(unit, case))
    soon = Counter(case.county for case, _d in rows if not is_overdue(unit, case))
    order = {c.code: i for i, c in enumerate(unit.config.routing.counties)}
    counties = sorted(overdue | soon, key=lambda code: (order.get(code, len(order)), code))
    lines = [_(CITY_HEAD).format(date=today(unit))]
    for code in counties:
        name = county_name(unit, code, _)
        lines.append(
            _(CITY_LINE).format(
                county=name, overdue=overdue[code], soon=soon[code], days=DUE_SOON_DAYS
            )
        )
    total = _(CITY_TOTAL).format(overdue=overdue.total(), soon=soon.total(), days=DUE_SOON_DAYS)
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


def listing(head: str, lines: list[str], _: Translator) -> str:
    shown = lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        shown.append(_(MORE).format(count=len(lines) - MAX_LINES))
    return "\n".join([head, "", *shown])


def is_overdue(unit: Unit, case: Case) -> bool:
    return case.deadline_at <= unit.now


def today(unit: Unit) -> str:
    return format_date(unit.now, unit.config.zone)


def county_name(unit: Unit, code: str, _: Translator) -> str:
    known = next((c for c in unit.config.routing.counties if c.code == code), None)
    return escape(known.name(_.language) if known is not None else code)
