"""The port to the consultations (七方会商) held on cases."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from handlers.domain.consultations import ConsultationRecord
from handlers.domain.ids import CaseId, ConsultationId, StaffId

__all__ = ["ConsultationBook"]


class ConsultationBook(Protocol):
    async def add(
        self,
        case_id: CaseId,
        scheduled_at: datetime,
        place: str,
        parties: Sequence[Mapping[str, Any]],
        created_by: StaffId,
        at: datetime,
    ) -> ConsultationRecord:
        """Schedule a consultation on the case, by ``created_by`` at the time ``at``."""
        ...

    async def held(self, consultation_id: ConsultationId) -> ConsultationRecord | None:
        """The consultation, held against other changes until the unit of work ends."""
        ...

    async def save(self, consultation: ConsultationRecord) -> None:
        """Keep the changed consultation (one read with ``held`` in this unit of work)."""
        ...

    async def plan(
        self, kind: str, consultation: ConsultationRecord, due_at: datetime, at: datetime
    ) -> None:
        """Plan the consultation's due work ``kind`` (a reminder, the payment check) at
        ``due_at``; unlike ``DueWriter`` the task names the case and the consultation, which
        is what the work reads when it falls due."""
        ...
