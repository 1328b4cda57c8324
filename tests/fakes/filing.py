"""``CaseFiling`` in memory: the cases it adds go into a ``FakeCaseBook``, so the employer's
count and an escalation at filing see them as the database would."""

from dataclasses import dataclass, field
from datetime import datetime

from handlers.domain.cases import CaseRecord, CaseStatus
from handlers.domain.ids import CaseId, WorkerId
from handlers.ports_filing import FilingDepartment, NewCase
from tests.fakes.cases import FakeCaseBook

__all__ = ["FakeCaseFiling"]


@dataclass
class FakeCaseFiling:
    cases: FakeCaseBook
    departments: dict[str, FilingDepartment]
    filed: dict[CaseId, NewCase] = field(default_factory=dict)
    """Every case added, as it was handed over (with its files)."""
    last_numbers: dict[tuple[str, int], int] = field(default_factory=dict)

    async def filed_since(self, worker_id: WorkerId, since: datetime) -> int:
        return sum(
            1
            for new in self.filed.values()
            if new.worker_id == worker_id and new.created_at >= since
        )

    async def department(self, code: str) -> FilingDepartment:
        return self.departments[code]

    async def next_number(self, prefix: str, year: int) -> str:
        last = self.last_numbers.get((prefix, year), 0) + 1
        self.last_numbers[(prefix, year)] = last
        return f"{prefix}-{year}-{last:06d}"

    async def add(self, case: NewCase) -> CaseRecord:
        case_id = CaseId(max(self.cases.cases, default=0) + 1)
        record = CaseRecord(
            id=case_id,
            number=case.number,
            status=CaseStatus.RECEIVED,
            department_id=case.department.id,
            department_code=case.department.code,
            county=case.county,
            assignee_id=None,
            employer=case.employer,
            amount_fen=case.amount_fen,
            workers_owed=case.workers_owed,
            owed_since=case.owed_since,
            created_at=case.created_at,
            reporter_name=case.reporter_name,
            reporter_phone=case.reporter_phone,
            worker_id=case.worker_id,
            deadline_at=case.deadline_at,
            deadline_days=case.department.deadline_days,
        )
        self.cases.add(record)
        self.filed[case_id] = case
        return record
