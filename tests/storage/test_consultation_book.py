"""``ConsultationBook`` over the tables: a consultation added reads back as decisions see it,
its outcome saved lands on the row, and its due work names the case and the consultation."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from handlers.domain.consultations import DAY_BEFORE
from handlers.domain.ids import CaseId, ConsultationId, StaffId
from storage.db import Database
from storage.models import Consultation, DueTask
from storage.repositories import ports
from tests.support.clock import FakeClock
from tests.support.people import make_staff
from tests.support.seed import add_case

FILED = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
AT = FILED + timedelta(days=7)
PARTIES = ({"role": "hrss", "name": "Zhang Wei", "contact": None}, {"role": "workers"})


async def test_a_consultation_added_reads_back_and_its_outcome_and_due_work_land_on_the_rows(
    db: Database, clock: FakeClock
) -> None:
    case_id = CaseId(await add_case(db, deadline_at=FILED, created_at=FILED))
    staff = await make_staff(db, clock, 901)
    assert staff.id is not None
    async with db.transaction() as session:
        book = ports(session).consultations
        added = await book.add(case_id, AT, "Room 2", PARTIES, StaffId(staff.id), FILED)
        await book.plan(DAY_BEFORE, added, AT - timedelta(days=1), FILED)
    async with db.transaction() as session:
        book = ports(session).consultations
        held = await book.held(added.id)
        assert held == added
        assert (held.case_id, held.scheduled_at, held.place, held.parties) == (
            case_id,
            AT,
            "Room 2",
            PARTIES,
        )
        assert await book.held(ConsultationId(added.id + 1)) is None
        agreed = replace(
            held,
            agreed_amount_fen=150_000_00,
            payment_due=date(2026, 12, 17),
            outcome_notes="Two instalments",
            outcome_at=AT,
        )
        await book.save(agreed)
    async with db.transaction() as session:
        row = await session.get(Consultation, added.id)
        assert row is not None
        assert (row.agreed_amount_fen, row.payment_due, row.outcome_notes, row.outcome_at) == (
            150_000_00,
            date(2026, 12, 17),
            "Two instalments",
            AT,
        )
        assert row.created_at == FILED and row.outcome_at.tzinfo == UTC
        task = (await session.exec(select(DueTask))).one()
        assert (task.kind, task.subject, task.case_id, task.data, task.due_at) == (
            DAY_BEFORE,
            f"consultation:{added.id}",
            case_id,
            {"consultation": added.id},
            AT - timedelta(days=1),
        )
