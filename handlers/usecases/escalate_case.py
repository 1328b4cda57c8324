"""Escalation (提级包抓): a case goes to the leaders and the supervisors.

By staff (the Escalate button), by the hard-case rules at filing, and at the deadline. A case
is escalated once; later reasons are added to its hard-case flag and the trail, not re-sent.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from handlers.domain.cases import CaseRecord
from handlers.domain.errors import N_, Stale
from handlers.domain.ids import CaseId
from handlers.domain.permissions import Actor
from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail
from handlers.usecases.changes import NO_CASE, case_to_change

__all__ = ["Escalated", "Escalation", "escalate_case"]

SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Escalation:
    case_id: CaseId
    reasons: tuple[str, ...]
    """``manual``, ``overdue``, or the hard-case rules that apply."""
    at: datetime


@dataclass(frozen=True, slots=True)
class Escalated:
    """The case flagged hard; leads and supervisors are alerted when it is the ``first``
    escalation, and its alert is to show the flag."""

    case: CaseRecord
    first: bool


async def escalate_case(
    actor: Actor | None, escalation: Escalation, *, cases: CaseBook, trail: CaseTrail
) -> Escalated:
    """``actor`` None is the system (the rules at filing, the deadline): no one to check."""
    if actor is None:
        case = await cases.for_change(escalation.case_id)
        if case is None:
            raise Stale(NO_CASE)
    else:
        case = await case_to_change(actor, escalation.case_id, "escalate", cases)
        if case.escalated_at is not None:
            raise Stale(N_("This case has already been escalated; nothing changed."))
    first = case.escalated_at is None
    hard = replace(
        case,
        hard=True,
        hard_reasons=tuple(sorted(set(case.hard_reasons) | set(escalation.reasons))),
        escalated_at=escalation.at if first else case.escalated_at,
    )
    await cases.save(hard)
    data = {
        "before": {"hard": case.hard, "hard_reasons": list(case.hard_reasons)},
        "after": {"hard": True, "hard_reasons": list(hard.hard_reasons)},
        "reasons": list(escalation.reasons),
    }
    label = actor.label if actor is not None else SYSTEM
    await trail.append(case.id, actor=label, kind="escalated", at=escalation.at, data=data)
    return Escalated(hard, first)
