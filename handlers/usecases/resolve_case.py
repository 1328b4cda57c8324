"""A case settled: resolved with an outcome, and what was recovered for how many workers."""

from dataclasses import dataclass, replace
from datetime import datetime

from handlers.domain.cases import PAID_OUTCOMES, CaseRecord, moved
from handlers.domain.ids import CaseId
from handlers.domain.permissions import Actor
from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail
from handlers.usecases.changes import case_to_change, close

__all__ = ["Resolution", "Resolved", "resolve_case"]


@dataclass(frozen=True, slots=True)
class Resolution:
    case_id: CaseId
    outcome: str
    amount_recovered_fen: int
    workers_paid: int
    at: datetime


@dataclass(frozen=True, slots=True)
class Resolved:
    """The alert is to show the result, the worker is told (the amount recovered when
    ``paid``), the deadlines are moot and the return visit is due."""

    case: CaseRecord
    paid: bool


async def resolve_case(
    actor: Actor, resolution: Resolution, *, cases: CaseBook, trail: CaseTrail
) -> Resolved:
    case = await case_to_change(actor, resolution.case_id, "resolve", cases)
    resolved = replace(
        case,
        status=moved(case.status, "resolve"),
        outcome=resolution.outcome,
        resolved_at=resolution.at,
        amount_recovered_fen=resolution.amount_recovered_fen,
        workers_paid=resolution.workers_paid,
    )
    await close(
        actor,
        case,
        resolved,
        "resolved",
        resolution.at,
        cases=cases,
        trail=trail,
        amount_recovered_fen=resolved.amount_recovered_fen,
        workers_paid=resolved.workers_paid,
    )
    return Resolved(resolved, resolution.outcome in PAID_OUTCOMES)
