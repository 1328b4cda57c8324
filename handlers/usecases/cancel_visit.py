"""A worker cancels a visit they booked, until it begins.

Raises ``Stale`` for someone else's visit or none ("no longer active"), and for a visit
cancelled already or begun ("no longer booked"); nothing is written then.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from handlers.domain.visits import Visit, ensure_cancellable
from handlers.ports_due import DueWriter
from handlers.ports_visits import VisitBook
from handlers.usecases.remind_visit import REMINDER, reminder_subject

__all__ = ["CancelVisit", "VisitCancelled", "cancel_visit", "cancellable_visit"]


@dataclass(frozen=True, slots=True)
class CancelVisit:
    visit_id: int
    now: datetime


@dataclass(frozen=True, slots=True)
class VisitCancelled:
    """The visit is cancelled and its reminder dropped: the worker is to be told, and the
    point's staff."""

    visit: Visit


async def cancellable_visit(worker_id: int, request: CancelVisit, visits: VisitBook) -> Visit:
    """The visit the worker asks about, as long as they may still cancel it; held, so that the
    answer stands until the unit of work ends (asking whether to cancel reads it too)."""
    return ensure_cancellable(await visits.held(request.visit_id), worker_id, request.now)


async def cancel_visit(
    worker_id: int, request: CancelVisit, visits: VisitBook, due: DueWriter
) -> VisitCancelled:
    visit = await cancellable_visit(worker_id, request, visits)
    await visits.cancel(visit.id)
    await due.cancel(REMINDER, reminder_subject(visit.id))
    return VisitCancelled(replace(visit, booked=False))
