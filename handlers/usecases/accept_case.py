"""A staff member takes a case up: it is theirs, and in progress."""

from dataclasses import dataclass, replace
from datetime import datetime

from handlers.domain.cases import CaseRecord, moved
from handlers.domain.errors import N_, NotAllowed, Stale
from handlers.domain.ids import CaseId
from handlers.domain.permissions import Actor
from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail
from handlers.usecases.changes import case_to_change, record_change

__all__ = ["Acceptance", "Accepted", "accept_case"]


@dataclass(frozen=True, slots=True)
class Acceptance:
    case_id: CaseId
    at: datetime


@dataclass(frozen=True, slots=True)
class Accepted:
    """The case as taken; its alert is to show the new owner and the worker is told who."""

    case: CaseRecord
    officer: str


async def accept_case(
    actor: Actor, request: Acceptance, *, cases: CaseBook, trail: CaseTrail
) -> Accepted:
    case = await case_to_change(actor, request.case_id, "accept", cases)
    if actor.staff is None:
        raise NotAllowed(N_("Join as staff (/join) before taking cases."))
    if case.assignee_id is not None:
        raise Stale(N_("This case has already been taken; nothing changed."))
    taken = replace(case, assignee_id=actor.staff.id, status=moved(case.status, "accept"))
    await cases.save(taken)
    before = {"status": case.status, "assignee": None}
    after = {"status": taken.status, "assignee": actor.staff.id}
    await record_change(trail, actor.label, taken, "accepted", request.at, before, after)
    return Accepted(taken, actor.name)
