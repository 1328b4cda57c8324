"""A case as the rules see it, and how each staff action, or a reopening, moves its status.

The status machine: every staff action needs an open case; accepting starts the work on a case
received or reopened, a transfer puts a case in progress back to received (the new department
has to take it up), and resolving or rejecting closes it. Reopening is the one move out of a
closed status: a resolved case whose worker says the money has not all arrived goes back to
work with a new deadline.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from handlers.domain.errors import N_, CaseClosed, Stale
from handlers.domain.ids import CaseId, DepartmentId, StaffId, WorkerId

__all__ = [
    "OPEN_STATUSES",
    "PAID_OUTCOMES",
    "Action",
    "CaseRecord",
    "CaseStatus",
    "NotResolved",
    "Reopening",
    "StaffRole",
    "ensure_open",
    "moved",
    "reopen",
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

MOVES: dict[Action | Literal["reopen"], dict[CaseStatus, CaseStatus]] = {
    "accept": {
        CaseStatus.RECEIVED: CaseStatus.IN_PROGRESS,
        CaseStatus.REOPENED: CaseStatus.IN_PROGRESS,
    },
    "transfer": {CaseStatus.IN_PROGRESS: CaseStatus.RECEIVED},
    "resolve": dict.fromkeys(OPEN_STATUSES, CaseStatus.RESOLVED),
    "reject": dict.fromkeys(OPEN_STATUSES, CaseStatus.REJECTED),
    "reopen": {CaseStatus.RESOLVED: CaseStatus.REOPENED},
}
"""From which status each action goes to which; for a staff action on an open case a status
not listed stays (an overdue case accepted is still overdue), while only a resolved case is
reopened (``reopen``)."""


class NotResolved(Stale):
    """Only a resolved case is reopened; another one moved on since the question was asked."""

    def __init__(self, status: CaseStatus) -> None:
        super().__init__(N_("This button is no longer active."))
        self.status = status


def ensure_open(status: str) -> None:
    """Nothing is done to a resolved or rejected case."""
    if status not in OPEN_STATUSES:
        raise CaseClosed(status)


def moved(status: CaseStatus, action: Action) -> CaseStatus:
    """The status after the staff's ``action`` on an open case in ``status``."""
    ensure_open(status)
    return MOVES[action].get(status, status)


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """What the staff's decisions and the surveys read and change of a case (not what its card
    shows)."""

    id: CaseId
    number: str
    status: CaseStatus
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
    worker_id: WorkerId | None
    """The worker who reported it in the chat (None: filed at a reception point)."""
    deadline_at: datetime
    deadline_days: int | None
    """The department's own time to act, if it has one (else the configured default)."""
    hard: bool = False
    hard_reasons: tuple[str, ...] = ()
    escalated_at: datetime | None = None
    outcome: str | None = None
    outcome_note: str | None = None
    amount_recovered_fen: int | None = None
    workers_paid: int | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Reopening:
    """A resolved case back at work: its new status and deadline, and the audit trail's
    before and after."""

    case: CaseRecord
    before: Mapping[str, str | None]
    after: Mapping[str, str | None]


def reopen(case: CaseRecord, now: datetime, default_days: int) -> Reopening:
    """The resolved ``case`` reopened at ``now``: no outcome, a deadline the department's days
    (or ``default_days``) ahead. ``NotResolved`` for any other case."""
    status = MOVES["reopen"].get(case.status)
    if status is None:
        raise NotResolved(case.status)
    deadline_at = now + timedelta(days=case.deadline_days or default_days)
    reopened = replace(case, status=status, outcome=None, resolved_at=None, deadline_at=deadline_at)
    before = {
        "status": case.status,
        "outcome": case.outcome,
        "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
        "deadline_at": case.deadline_at.isoformat(),
    }
    after = {"status": reopened.status, "deadline_at": deadline_at.isoformat()}
    return Reopening(reopened, before, after)
