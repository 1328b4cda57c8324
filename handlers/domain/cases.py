"""A case as the rules see it, and how each staff action moves its status.

The status machine: every action needs an open case; accepting starts the work on a case
received or reopened, a transfer puts a case in progress back to received (the new department
has to take it up), and resolving or rejecting closes it.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from handlers.domain.errors import CaseClosed
from handlers.domain.ids import CaseId, DepartmentId, StaffId

__all__ = [
    "OPEN_STATUSES",
    "PAID_OUTCOMES",
    "Action",
    "CaseRecord",
    "CaseStatus",
    "StaffRole",
    "ensure_open",
    "moved",
]


class CaseStatus(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    REOPENED = "reopened"


class StaffRole(StrEnum):
    HANDLER = "handler"
    LEAD = "lead"
    SUPERVISOR = "supervisor"


OPEN_STATUSES = (
    CaseStatus.RECEIVED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.OVERDUE,
    CaseStatus.REOPENED,
)

PAID_OUTCOMES = ("paid_in_full", "partly_paid")
"""Resolutions in which money was recovered: how much, and for how many workers, is asked."""

Action = Literal["accept", "transfer", "resolve", "reject"]

MOVES: dict[Action, dict[str, CaseStatus]] = {
    "accept": {
        CaseStatus.RECEIVED: CaseStatus.IN_PROGRESS,
        CaseStatus.REOPENED: CaseStatus.IN_PROGRESS,
    },
    "transfer": {CaseStatus.IN_PROGRESS: CaseStatus.RECEIVED},
    "resolve": dict.fromkeys(OPEN_STATUSES, CaseStatus.RESOLVED),
    "reject": dict.fromkeys(OPEN_STATUSES, CaseStatus.REJECTED),
}
"""From which status each action goes to which; a status not listed stays (an overdue case
accepted is still overdue)."""


def ensure_open(status: str) -> None:
    """Nothing is done to a resolved or rejected case."""
    if status not in OPEN_STATUSES:
        raise CaseClosed(status)


def moved(status: str, action: Action) -> str:
    """The status after ``action`` on an open case in ``status``."""
    ensure_open(status)
    return MOVES[action].get(status, status)


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """What the staff's decisions read and change of a case (not what its card shows)."""

    id: CaseId
    number: str
    status: str
    department_id: DepartmentId
    department_code: str
    county: str
    assignee_id: StaffId | None
    employer: str
    amount_fen: int
    workers_owed: int
    owed_since: date
    created_at: datetime
    reporter_name: str
    reporter_phone: str
    hard: bool = False
    hard_reasons: tuple[str, ...] = ()
    escalated_at: datetime | None = None
    outcome: str | None = None
    outcome_note: str | None = None
    amount_recovered_fen: int | None = None
    workers_paid: int | None = None
    resolved_at: datetime | None = None
