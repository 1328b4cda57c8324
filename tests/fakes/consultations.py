"""``ConsultationBook`` in memory: the consultations, what was held, and the due work planned."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handlers.domain.consultations import ConsultationRecord, subject_of
from handlers.domain.ids import CaseId, ConsultationId, StaffId

__all__ = ["FakeConsultationBook", "Planned"]


@dataclass(frozen=True)
class Planned:
    due_at: datetime
    case_id: CaseId
    data: Mapping[str, Any]


@dataclass
class FakeConsultationBook:
    consultations: dict[ConsultationId, ConsultationRecord] = field(default_factory=dict)
    held_ids: set[ConsultationId] = field(default_factory=set)
    planned: dict[tuple[str, str], Planned] = field(default_factory=dict)
    """The due work planned, by ``(kind, subject)``."""

    def put(self, consultation: ConsultationRecord) -> None:
        self.consultations[consultation.id] = consultation

    async def add(
        self,
        case_id: CaseId,
        scheduled_at: datetime,
        place: str,
        parties: Sequence[Mapping[str, Any]],
        created_by: StaffId,
        at: datetime,
    ) -> ConsultationRecord:
        consultation_id = ConsultationId(len(self.consultations) + 1)
        added = ConsultationRecord(
            consultation_id, case_id, scheduled_at, place, tuple(parties), created_by
        )
        self.put(added)
        return added

    async def held(self, consultation_id: ConsultationId) -> ConsultationRecord | None:
        self.held_ids.add(consultation_id)
        return self.consultations.get(consultation_id)

    async def save(self, consultation: ConsultationRecord) -> None:
        assert consultation.id in self.held_ids, "saved without being held"
        self.put(consultation)

    async def plan(
        self, kind: str, consultation: ConsultationRecord, due_at: datetime, at: datetime
    ) -> None:
        data = {"consultation": consultation.id}
        self.planned[(kind, subject_of(consultation.id))] = Planned(
            due_at, consultation.case_id, data
        )
