"""``CaseTrail`` over the ``caseevent`` table."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.domain.ids import CaseId
from storage.models import CaseEvent

__all__ = ["SqlCaseTrail"]


@dataclass(frozen=True, slots=True)
class SqlCaseTrail:
    session: AsyncSession

    async def append(
        self, case_id: CaseId, *, actor: str, kind: str, at: datetime, data: Mapping[str, Any]
    ) -> None:
        event = CaseEvent(case_id=case_id, actor=actor, kind=kind, data=dict(data), created_at=at)
        self.session.add(event)
