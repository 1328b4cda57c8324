"""Deadlines and the morning digest, as the due-work sweep runs them with a fake clock."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.scheduler import run_due_work
from handlers import HandlerConfig
from handlers.context import Unit
from handlers.staff.deadlines import cancel_deadlines, plan_deadlines
from handlers.staff.digest import plan_digest
from storage.db import Database
from storage.models import Case, CaseEvent, CaseStatus, DueTask, OutboxMessage, Worker
from storage.people import department_by_code
from storage.repositories import ports
from tests.support.chat import Bench, complete_report
from tests.support.clock import FakeClock
from tests.support.seed import bulk_insert, case_row, department_id, workers

DEPARTMENT = -1001000000101
"""安定区住建局: Anding × construction."""
ANDING_HRSS = -1001000000105
ANDING_LEADS = -1001000001900
CITY_LEADS = -1001000000001
SUPERVISORS = -1001000000002
DEADLINE = "2026-12-11"
"""Filed 2026-11-26 10:00 local with the default 15 days."""
ORDINARY = {"amount": "5万", "workers": "3", "since": "2026-06"}
"""Below every hard-case threshold, so only the deadline sends the case to the leaders."""


@pytest.fixture
def english(config: HandlerConfig) -> HandlerConfig:
    return replace(config, default_language="en")


@pytest.fixture
def bench(db: Database, english: HandlerConfig, clock: FakeClock) -> Bench:
    return Bench(db, english, clock)


async def file_case(bench: Bench, user_id: int = 501, **answers: str) -> Case:
    await complete_report(bench.chat(user_id), **(ORDINARY | answers))
    async with bench.db.reader() as session:
        case = (await session.exec(select(Case).order_by(col(Case.id).desc()))).first()
    assert case is not None
    return case


async def sweep(bench: Bench) -> int:
    return await run_due_work(bench.db, bench.config, bench.clock)


async def sent_to(db: Database, chat_id: int) -> list[str]:
    """What due work wrote to the outbox for ``chat_id`` (the bench's chats do not use it)."""
    async with db.reader() as session:
        rows = await session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == chat_id, OutboxMessage.method == "sendMessage")
            .order_by(col(OutboxMessage.id))
        )
        return [row.payload["text"] for row in rows]


async def digests(db: Database, chat_id: int, title: str = "Morning digest") -> list[str]:
    return [text for text in await sent_to(db, chat_id) if title in text]


async def edits_of(db: Database, chat_id: int) -> list[OutboxMessage]:
    async with db.reader() as session:
        rows = await session.exec(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == chat_id, OutboxMessage.method == "editMessageText"
            )
        )
        return list(rows)


async def reload(db: Database, case: Case) -> Case:
    async with db.reader() as session:
        found = await session.get(Case, case.id)
    assert found is not None
    return found


async def tasks_of(db: Database, case: Case) -> list[DueTask]:
    async with db.reader() as session:
        return list((await session.exec(select(DueTask).where(DueTask.case_id == case.id))).all())


async def update_case(db: Database, case: Case, **values: object) -> None:
    async with db.transaction() as session:
        row = await session.get(Case, case.id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)


def until_deadline(clock: FakeClock, case: Case, **before: float) -> None:
    clock.current = case.deadline_at - timedelta(**before)


async def test_the_department_is_reminded_three_days_and_one_day_before_the_deadline(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    case = await file_case(bench)
    until_deadline(bench.clock, case, days=3, minutes=1)
    assert await sweep(bench) == 0

    clock.advance(minutes=1)
    assert await sweep(bench) == 1
    (three_days,) = await sent_to(db, DEPARTMENT)
    assert case.number in three_days and "due in 3 days" in three_days and DEADLINE in three_days

    until_deadline(clock, case, days=1)
    await sweep(bench)
    await sweep(bench)
    assert len(await sent_to(db, DEPARTMENT)) == 2
    one_day = (await sent_to(db, DEPARTMENT))[1]
    assert case.number in one_day and "due tomorrow" in one_day and DEADLINE in one_day


async def test_a_case_closed_before_its_reminder_gets_none(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    case = await file_case(bench)
    await update_case(db, case, status=CaseStatus.RESOLVED)
    until_deadline(clock, case, days=-1)

    assert await sweep(bench) == 3
    assert await sent_to(db, DEPARTMENT) == []
    assert await sent_to(db, ANDING_LEADS) == []
    assert (await reload(db, case)).status == CaseStatus.RESOLVED


async def test_closing_a_case_cancels_its_reminders_and_deadline(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    case = await file_case(bench)
    async with db.transaction() as session:
        await cancel_deadlines(Unit(session, bench.config, clock.now(), ports=ports(session)), case)
    until_deadline(clock, case, days=-1)

    assert await sweep(bench) == 0
    tasks = await tasks_of(db, case)
    assert sorted(t.subject for t in tasks) == [
        f"case:{case.id}",
        *(f"case:{case.id}:{d}d" for d in (1, 3)),
    ]
    assert {t.status for t in tasks} == {"cancelled"}


async def test_at_the_deadline_the_case_turns_overdue_and_goes_to_the_county_leaders(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    case = await file_case(bench)
    until_deadline(clock, case, days=0)
    await sweep(bench)

    overdue = await reload(db, case)
    assert overdue.status == CaseStatus.OVERDUE and overdue.overdue_at == clock.now()
    assert overdue.hard_reasons == ["overdue"] and overdue.escalated_at == clock.now()
    (escalation,) = await sent_to(db, ANDING_LEADS)
    assert "Escalated" in escalation and case.number in escalation
    assert await sent_to(db, SUPERVISORS) == [escalation]
    (told,) = await sent_to(db, 501)
    assert case.number in told and "county leaders" in told and DEADLINE in told
    assert any("passed its deadline" in text for text in await sent_to(db, DEPARTMENT))
    (alert,) = await edits_of(db, DEPARTMENT)
    assert alert.payload["message_ref"] == f"alert:{case.id}:{case.department_id}"
    assert "Overdue" in alert.payload["text"] and "🦴" in alert.payload["text"]
    async with db.reader() as session:
        kinds = {e.kind: e for e in (await session.exec(select(CaseEvent))).all()}
    assert kinds["overdue"].actor == "system"
    assert kinds["overdue"].data == {
        "before": {"status": "received"},
        "after": {"status": "overdue"},
    }


async def test_an_escalated_case_falling_overdue_is_reported_to_the_leaders_once_more(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    case = await file_case(bench, amount="20万")
    assert len(await sent_to(db, ANDING_LEADS)) == 0  # the filing's escalation went via the bench
    until_deadline(clock, case, days=0)
    await sweep(bench)

    (late,) = await sent_to(db, ANDING_LEADS)
    assert case.number in late and "escalated earlier" in late
    assert (await reload(db, case)).hard_reasons == ["amount", "overdue"]


async def test_a_transferred_case_keeps_its_deadline_and_reminds_its_new_department(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    case = await file_case(bench)
    async with db.reader() as session:
        hrss = await department_by_code(session, "anding.hrss")
    await update_case(db, case, department_id=hrss.id)  # what a transfer changes
    until_deadline(clock, case, days=3)
    await sweep(bench)

    assert await sent_to(db, DEPARTMENT) == []
    (reminder,) = await sent_to(db, ANDING_HRSS)
    assert DEADLINE in reminder
    assert (await reload(db, case)).deadline_at == case.deadline_at


async def test_a_deadline_moved_later_is_kept_when_planned_again(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    case = await file_case(bench)
    later = case.deadline_at + timedelta(days=10)
    async with db.transaction() as session:
        row = await session.get(Case, case.id)
        assert row is not None
        row.deadline_at = later
        await plan_deadlines(Unit(session, bench.config, clock.now(), ports=ports(session)), row)
    until_deadline(clock, case, days=0)
    await sweep(bench)
    assert (await reload(db, case)).status == CaseStatus.RECEIVED

    clock.current = later
    await sweep(bench)
    assert (await reload(db, case)).status == CaseStatus.OVERDUE


async def test_reminders_that_would_fall_before_the_filing_are_not_planned(
    bench: Bench, db: Database
) -> None:
    async with db.transaction() as session:
        department = await department_by_code(session, "anding.construction")
        department.deadline_days = 2
        session.add(department)
    case = await file_case(bench)
    tasks = await tasks_of(db, case)
    assert sorted(t.subject for t in tasks) == [f"case:{case.id}", f"case:{case.id}:1d"]


# --- the morning digest ------------------------------------------------------------------------


async def run_digest(bench: Bench) -> None:
    async with bench.db.transaction() as session:
        unit = Unit(session, bench.config, bench.clock.now(), ports=ports(session))
        await plan_digest(unit, unit.local_now.time())
    await sweep(bench)


async def test_the_digest_lists_each_departments_urgent_cases_soonest_first(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    first = await file_case(bench, 501, employer="Early Works Ltd")
    clock.advance(days=2)
    second = await file_case(bench, 502, employer="Later Builders", amount="20万")
    clock.advance(days=2)
    await file_case(bench, 503, employer="Not Yet Due Co")
    until_deadline(clock, first, hours=1)
    await run_digest(bench)

    (digest,) = await digests(db, DEPARTMENT)
    assert "Overdue: 0 · due within 3 days: 2" in digest
    assert digest.index(first.number) < digest.index(second.number)
    assert "Early Works Ltd" in digest and f"🦴 <b>{second.number}</b>" in digest
    assert "Not Yet Due Co" not in digest
    assert await digests(db, ANDING_LEADS, "Overdue cases") == []


async def test_the_digest_tells_county_and_city_leaders_of_overdue_cases(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    late = await file_case(bench, 501, employer="Late Payer")
    clock.advance(days=1)
    await file_case(bench, 502, employer="Soon Due")
    until_deadline(clock, late, hours=-1)
    await run_digest(bench)

    (county,) = await digests(db, ANDING_LEADS, "Overdue cases")
    assert late.number in county and "Late Payer" in county and "Soon Due" not in county
    assert "Anding" in county
    (city,) = await sent_to(db, CITY_LEADS)
    assert "Anding District: overdue 1, due within 3 days 1" in city
    assert "Total: overdue 1, due within 3 days 1" in city
    (department,) = await digests(db, DEPARTMENT)
    assert "Overdue: 1 · due within 3 days: 1" in department


async def test_a_long_digest_shows_the_forty_soonest_cases_and_counts_the_rest(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    now = clock.now()
    department = await department_id(db)
    await bulk_insert(db, Worker, list(workers(45, 1, now)))
    filed = now - timedelta(days=20)
    await bulk_insert(
        db,
        Case,
        [
            case_row(n, 1 + n, department, CaseStatus.OVERDUE, filed, now - timedelta(hours=45 - n))
            for n in range(45)
        ],
    )
    await run_digest(bench)

    (digest,) = await digests(db, DEPARTMENT)
    assert "Overdue: 45 · due within 3 days: 0" in digest
    assert digest.count("BN-2026-") == 40 and "… and 5 more" in digest
    assert "BN-2026-0000001" in digest and "BN-2026-0000045" not in digest
    (county,) = await digests(db, ANDING_LEADS, "Overdue cases")
    assert "Overdue cases, 2026-11-26</b>: 45" in county and "… and 5 more" in county
    (city,) = await sent_to(db, CITY_LEADS)
    assert "Anding District: overdue 45, due within 3 days 0" in city


async def test_the_digest_is_silent_when_nothing_is_due_soon(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    await file_case(bench)
    await run_digest(bench)
    async with db.reader() as session:
        assert (await session.exec(select(OutboxMessage))).all() == []


async def test_the_digest_goes_out_once_a_day_however_often_it_is_planned(
    bench: Bench, db: Database, clock: FakeClock
) -> None:
    case = await file_case(bench)
    until_deadline(clock, case, days=2)
    await run_digest(bench)
    await run_digest(bench)
    clock.advance(hours=1)
    await run_digest(bench)
    assert len(await digests(db, DEPARTMENT)) == 1

    clock.advance(days=1)
    await run_digest(bench)
    assert len(await digests(db, DEPARTMENT)) == 2
