"""The port to the cases themselves, as the staff's decisions read and change them."""

from typing import Protocol

from handlers.domain.cases import CaseRecord
from handlers.domain.ids import CaseId

__all__ = ["CaseBook"]


class CaseBook(Protocol):
    async def for_change(self, case_id: CaseId) -> CaseRecord | None:
        """The case, held for this unit of work until it ends (None if there is no such case):
        whatever a decision checks cannot change before the decision is saved."""
        ...

    async def save(self, case: CaseRecord) -> None:
        """Keep the changed case (one read with ``for_change`` in this unit of work)."""
        ...

    async def count_open_of_employer(self, employer: str) -> int:
        """Open cases against ``employer``, however its name was typed in each."""
        ...
