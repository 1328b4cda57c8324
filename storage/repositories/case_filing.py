"""``CaseFiling`` over the ``case``, ``attachment``, ``department`` and ``casecounter``
tables: the case row is flushed, so its id is known before the unit of work ends."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.domain.cases import CaseRecord, CaseStatus
from handlers.domain.ids import DepartmentId, WorkerId
from handlers.ports_filing import FilingDepartment, NewCase
from storage.cases import add_attachments, count_cases_since, next_case_number
from storage.models import AttachmentRole, Case
from storage.people import department_by_code
from storage.repositories.case_book import case_record

__all__ = ["SqlCaseFiling"]


@dataclass(frozen=True, slots=True)
class SqlCaseFiling:
    session: AsyncSession

    async def filed_since(self, worker_id: WorkerId, since: datetime) -> int:
        return await count_cases_since(self.session, worker_id, since)

    async def department(self, code: str) -> FilingDepartment:
        row = await department_by_code(self.session, code)
        assert row.id is not None
        return FilingDepartment(DepartmentId(row.id), row.code, row.deadline_days)

    async def next_number(self, prefix: str, year: int) -> str:
        return await next_case_number(self.session, prefix, year)

    async def add(self, case: NewCase) -> CaseRecord:
        row = Case(
            number=case.number,
            worker_id=case.worker_id,
            source=case.source,
            department_id=case.department.id,
            status=CaseStatus.RECEIVED,
            language=case.language,
            county=case.county,
            sector=case.sector,
            reporter_name=case.reporter_name,
            reporter_phone=case.reporter_phone,
            employer=case.employer,
            project=case.project,
            site_address=case.site_address,
            site_latitude=case.site_latitude,
            site_longitude=case.site_longitude,
            amount_fen=case.amount_fen,
            workers_owed=case.workers_owed,
            owed_since=case.owed_since,
            account=case.account,
            deadline_at=case.deadline_at,
            created_at=case.created_at,
        )
        self.session.add(row)
        await self.session.flush()
        assert row.id is not None
        at = case.created_at
        await add_attachments(self.session, row.id, case.story, at, role=AttachmentRole.STORY)
        await add_attachments(self.session, row.id, case.evidence, at)
        return case_record(row, case.department.code, case.department.deadline_days)
