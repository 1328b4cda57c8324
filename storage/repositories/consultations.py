"""``ConsultationBook`` over the ``consultation`` table, its due work in ``duetask``."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.domain.consultations import ConsultationRecord, subject_of
from handlers.domain.ids import CaseId, ConsultationId, StaffId
from storage import due
from storage.models import Consultation

__all__ = ["SqlConsultationBook"]


@dataclass(frozen=True, slots=True)
class SqlConsultationBook:
    session: AsyncSession

    async def add(
        self,
        case_id: CaseId,
        scheduled_at: datetime,
        place: str,
        parties: Sequence[Mapping[str, Any]],
        created_by: StaffId,
        at: datetime,
    ) -> ConsultationRecord:
        row = Consultation(
            case_id=case_id,
            scheduled_at=scheduled_at,
            place=place,
            parties=[dict(party) for party in parties],
            created_by=created_by,
            created_at=at,
        )
        self.session.add(row)
        await self.session.flush()
        return plain(row)

    async def held(self, consultation_id: ConsultationId) -> ConsultationRecord | None:
        row = await self.session.get(Consultation, consultation_id, with_for_update=True)
        return plain(row) if row else None

    async def save(self, consultation: ConsultationRecord) -> None:
        row = await self.session.get(Consultation, consultation.id)
        assert row is not None
        row.worker_attends = consultation.worker_attends
        row.agreed_amount_fen = consultation.agreed_amount_fen
        row.payment_due = consultation.payment_due
        row.outcome_notes = consultation.outcome_notes
        row.outcome_at = consultation.outcome_at
        self.session.add(row)

    async def plan(
        self, kind: str, consultation: ConsultationRecord, due_at: datetime, at: datetime
    ) -> None:
        await due.schedule(
            self.session,
            kind,
            subject_of(consultation.id),
            due_at,
            at,
            case_id=consultation.case_id,
            data={"consultation": consultation.id},
        )


def plain(row: Consultation) -> ConsultationRecord:
    assert row.id is not None
    return ConsultationRecord(
        id=ConsultationId(row.id),
        case_id=CaseId(row.case_id),
        scheduled_at=row.scheduled_at,
        place=row.place,
        parties=tuple(row.parties),
        created_by=StaffId(row.created_by),
        worker_attends=row.worker_attends,
        agreed_amount_fen=row.agreed_amount_fen,
        payment_due=row.payment_due,
        outcome_notes=row.outcome_notes,
        outcome_at=row.outcome_at,
    )
