"""The port to the audit trail: append-only, one event per change or view of a case."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from handlers.domain.ids import CaseId

__all__ = ["CaseTrail"]


class CaseTrail(Protocol):
    async def append(
        self, case_id: CaseId, *, actor: str, kind: str, at: datetime, data: Mapping[str, Any]
    ) -> None:
        """Record that ``actor`` (an ``Actor.label``, or ``system``) did ``kind`` at ``at``."""
        ...
