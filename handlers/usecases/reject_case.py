"""A case not taken up, for a reason, with a comment for the worker if staff gave one."""

from dataclasses import dataclass, replace
from datetime import datetime

from handlers.domain.cases import CaseRecord, moved
from handlers.domain.ids import CaseId
from handlers.domain.permissions import Actor
from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail
from handlers.usecases.changes import case_to_change, close

__all__ = ["Rejected", "Rejection", "reject_case"]


@dataclass(frozen=True, slots=True)
class Rejection:
    case_id: CaseId
    reason: str
    comment: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Rejected:
    """The alert is to show the result, the worker is told the reason and the comment, and
    the deadlines are moot."""

    case: CaseRecord


async def reject_case(
    actor: Actor, rejection: Rejection, *, cases: CaseBook, trail: CaseTrail
) -> Rejected:
    case = await case_to_change(actor, rejection.case_id, "reject", cases)
    rejected = replace(
        case,
        status=moved(case.status, "reject"),
        outcome=rejection.reason,
        resolved_at=rejection.at,
        outcome_note=rejection.comment or None,
    )
    await close(
        actor,
        case,
        rejected,
        "rejected",
        rejection.at,
        cases=cases,
        trail=trail,
        comment=rejected.outcome_note,
    )
    return Rejected(rejected)
