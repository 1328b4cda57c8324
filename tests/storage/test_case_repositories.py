"""The case ports over the tables: a case read for change is held until the change is saved,
a saved record lands on the row, and staff are found only while active."""

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from handlers.domain.cases import CaseRecord, CaseStatus, StaffRole
from handlers.domain.errors import Stale
from handlers.domain.ids import CaseId, StaffId, UserId
from handlers.domain.permissions import Actor
from handlers.usecases.accept_case import Acceptance, accept_case
from storage.db import Database
from storage.models import Case, CaseEvent
from storage.repositories import ports
from storage.repositories.case_book import SqlCaseBook
from storage.staff import remove_staff
from tests.support.clock import FakeClock
from tests.support.people import make_staff
from tests.support.seed import add_case

FILED = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


async def file_case(db: Database) -> CaseId:
    return CaseId(await add_case(db, deadline_at=FILED, created_at=FILED))


async def test_a_saved_record_lands_on_the_row_and_the_trail_in_the_events(
    db: Database,
) -> None:
    case_id = await file_case(db)
    async with db.transaction() as session:
        book = ports(session)
        record = await book.cases.for_change(case_id)
        assert record is not None
        assert (record.number, record.department_code, record.status) == (
            "DX-2026-000001",
            "anding.construction",
            CaseStatus.RECEIVED,
        )
        changed = replace(
            record,
            status=CaseStatus.RESOLVED,
            outcome="paid_in_full",
            amount_recovered_fen=50_000_00,
            workers_paid=3,
            resolved_at=FILED,
            hard=True,
            hard_reasons=("manual",),
        )
        await book.cases.save(changed)
        await book.trail.append(case_id, actor="staff:1", kind="resolved", at=FILED, data={"x": 1})
    async with db.transaction() as session:
        assert await ports(session).cases.for_change(case_id) == changed
        (event,) = (await session.exec(select(CaseEvent))).all()
    assert (event.case_id, event.actor, event.kind, event.data) == (
        case_id,
        "staff:1",
        "resolved",
        {"x": 1},
    )


async def test_only_a_reopening_clears_the_overdue_and_anonymised_marks(db: Database) -> None:
    """Reopened, a case is neither overdue nor anonymised until it is again; any other saved
    change (a resolution here) keeps both marks as they were."""
    overdue_at = FILED + timedelta(days=15)
    overdue, resolved = [
        CaseId(
            await add_case(
                db,
                number=f"DX-2026-00000{n}",
                status=status,
                deadline_at=FILED,
                created_at=FILED,
                overdue_at=overdue_at,
                anonymised_at=overdue_at,
            )
        )
        for n, status in ((1, CaseStatus.OVERDUE), (2, CaseStatus.RESOLVED))
    ]
    later = overdue_at + timedelta(days=1)
    async with db.transaction() as session:
        book = SqlCaseBook(session)
        for case_id, status in ((overdue, CaseStatus.RESOLVED), (resolved, CaseStatus.REOPENED)):
            record = await book.for_change(case_id)
            assert record is not None
            await book.save(replace(record, status=status, deadline_at=later))
    async with db.reader() as session:
        kept, cleared = await session.get(Case, overdue), await session.get(Case, resolved)
        assert kept is not None and cleared is not None
        assert (kept.deadline_at, kept.overdue_at, kept.anonymised_at) == (
            later,
            overdue_at,
            overdue_at,
        )
        assert (cleared.deadline_at, cleared.overdue_at, cleared.anonymised_at) == (
            later,
            None,
            None,
        )


async def test_no_record_for_a_case_that_does_not_exist(db: Database) -> None:
    async with db.transaction() as session:
        assert await ports(session).cases.for_change(CaseId(404)) is None


async def test_staff_are_found_by_telegram_user_only_while_active(
    db: Database, clock: FakeClock
) -> None:
    staff = await make_staff(db, clock, 901, StaffRole.LEAD, county="anding", name="Lead Zhao")
    assert staff.id is not None
    async with db.transaction() as session:
        member = await ports(session).staff.active_by_user(UserId(901))
        assert member is not None
        assert (member.id, member.name, member.role, member.county) == (
            StaffId(staff.id),
            "Lead Zhao",
            StaffRole.LEAD,
            "anding",
        )
        assert await ports(session).staff.active_by_user(UserId(902)) is None
        await remove_staff(session, staff.id, clock.now())
    async with db.transaction() as session:
        assert await ports(session).staff.active_by_user(UserId(901)) is None


@dataclass(frozen=True)
class SlowCaseBook(SqlCaseBook):
    """Dwells on the case it read, as a slow decision would, before it may be saved."""

    async def for_change(self, case_id: CaseId) -> CaseRecord | None:
        record = await super().for_change(case_id)
        await asyncio.sleep(0.2)
        return record


@pytest.mark.timeout(30)
async def test_two_staff_accepting_at_once_one_takes_the_case_the_other_is_told(
    db: Database, clock: FakeClock
) -> None:
    case_id = await file_case(db)
    handlers = []
    for user_id in (901, 902):
        staff = await make_staff(db, clock, user_id, name=f"Officer {user_id}")
        async with db.reader() as session:
            member = await ports(session).staff.active_by_user(UserId(user_id))
        handlers.append(Actor(UserId(user_id), staff.name, member, is_admin=False))

    async def accept(actor: Actor) -> str:
        async with db.transaction() as session:
            trail = ports(session).trail
            try:
                await accept_case(
                    actor, Acceptance(case_id, FILED), cases=SlowCaseBook(session), trail=trail
                )
            except Stale:
                return "stale"
            return "accepted"

    outcomes = await asyncio.gather(*(accept(actor) for actor in handlers))

    assert sorted(outcomes) == ["accepted", "stale"]
    async with db.reader() as session:
        kinds = [e.kind for e in (await session.exec(select(CaseEvent))).all()]
    assert kinds == ["accepted"]
