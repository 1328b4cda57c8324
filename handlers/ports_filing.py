"""The port through which a report becomes a case: what filing needs and nothing else.

Apart from ``CaseBook`` (the existing cases the staff's decisions read and change): filing
counts a worker's reports, reads the department's deadline, draws the next number and adds
the case with its files, none of which any decision on a case needs.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from handlers.domain.cases import CaseRecord
from handlers.domain.ids import DepartmentId, WorkerId

__all__ = ["CaseFiling", "FilingDepartment", "NewCase", "SentFile"]


@dataclass(frozen=True, slots=True)
class SentFile:
    """A file the worker sent with the report (a voice message of the story, a photo…), as
    Telegram described it; the case file store fetches it later."""

    kind: str
    file_id: str
    file_unique_id: str
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    duration: int | None = None


@dataclass(frozen=True, slots=True)
class FilingDepartment:
    id: DepartmentId
    code: str
    deadline_days: int | None
    """Its own time to respond, if it has one; otherwise the city's default applies."""


@dataclass(frozen=True, slots=True)
class NewCase:
    """A case about to be added, received; ``worker_id`` None when reception staff filed it."""

    number: str
    worker_id: WorkerId | None
    source: str
    department: FilingDepartment
    language: str
    county: str
    sector: str
    reporter_name: str
    reporter_phone: str
    employer: str
    project: str
    site_address: str | None
    site_latitude: float | None
    site_longitude: float | None
    amount_fen: int
    workers_owed: int
    owed_since: date
    account: str
    deadline_at: datetime
    created_at: datetime
    story: tuple[SentFile, ...]
    evidence: tuple[SentFile, ...]


class CaseFiling(Protocol):
    async def filed_since(self, worker_id: WorkerId, since: datetime) -> int:
        """How many cases the worker filed from ``since`` on."""
        ...

    async def department(self, code: str) -> FilingDepartment:
        """The department of ``code`` (one the routing table names, so it exists)."""
        ...

    async def next_number(self, prefix: str, year: int) -> str:
        """The next case number of ``year``, never handed out twice."""
        ...

    async def add(self, case: NewCase) -> CaseRecord:
        """Add the case and its files (each pending its fetch); the case as decisions see it."""
        ...
