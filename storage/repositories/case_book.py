"""``CaseBook`` over the ``case`` table: the row is locked when read for a change, and a saved
record is written back onto it (the same row the chat layer renders afterwards)."""

from dataclasses import dataclass

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.domain.cases import OPEN_STATUSES, CaseRecord, CaseStatus
from handlers.domain.ids import CaseId, DepartmentId, StaffId, WorkerId
from storage.models import Case, Department, employer_key

__all__ = ["SqlCaseBook", "case_record"]


@dataclass(frozen=True, slots=True)
class SqlCaseBook:
    session: AsyncSession

    async def for_change(self, case_id: CaseId) -> CaseRecord | None:
        statement = (
            select(Case)
            .where(col(Case.id) == case_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        case = (await self.session.exec(statement)).first()
        if case is None:
            return None
        department = await self.session.get(Department, case.department_id)
        assert department is not None
        return case_record(case, department.code, department.deadline_days)

    async def save(self, case: CaseRecord) -> None:
        row = await self.session.get(Case, case.id)
        assert row is not None
        if case.status == CaseStatus.REOPENED and row.status != CaseStatus.REOPENED:
            row.overdue_at = None  # a new deadline: not overdue until it passes
            row.anonymised_at = None  # open again: anonymised anew once it closes
        row.status = case.status
        row.deadline_at = case.deadline_at
        row.department_id = case.department_id
        row.assignee_id = case.assignee_id
        row.hard = case.hard
        row.hard_reasons = list(case.hard_reasons)
        row.escalated_at = case.escalated_at
        row.outcome = case.outcome
        row.outcome_note = case.outcome_note
        row.amount_recovered_fen = case.amount_recovered_fen
        row.workers_paid = case.workers_paid
        row.resolved_at = case.resolved_at
        self.session.add(row)

    async def count_open_of_employer(self, employer: str) -> int:
        statement = (
            select(func.count())
            .select_from(Case)
            .where(
                col(Case.employer_key) == employer_key(employer),
                col(Case.status).in_(OPEN_STATUSES),
            )
        )
        return (await self.session.exec(statement)).one()


def case_record(case: Case, department_code: str, deadline_days: int | None) -> CaseRecord:
    """The plain record of a ``case`` row (stored, so it has its id) of the department
    ``department_code`` with its own ``deadline_days``."""
    assert case.id is not None
    return CaseRecord(
        id=CaseId(case.id),
        number=case.number,
        status=CaseStatus(case.status),
        department_id=DepartmentId(case.department_id),
        department_code=department_code,
        county=case.county,
        assignee_id=StaffId(case.assignee_id) if case.assignee_id is not None else None,
        employer=case.employer,
        amount_fen=case.amount_fen,
        workers_owed=case.workers_owed,
        owed_since=case.owed_since,
        created_at=case.created_at,
        reporter_name=case.reporter_name,
        reporter_phone=case.reporter_phone,
        worker_id=WorkerId(case.worker_id) if case.worker_id is not None else None,
        deadline_at=case.deadline_at,
        deadline_days=deadline_days,
        hard=case.hard,
        hard_reasons=tuple(case.hard_reasons),
        escalated_at=case.escalated_at,
        outcome=case.outcome,
        outcome_note=case.outcome_note,
        amount_recovered_fen=case.amount_recovered_fen,
        workers_paid=case.workers_paid,
        resolved_at=case.resolved_at,
    )
