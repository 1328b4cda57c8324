"""A case passed to the department responsible for it: unassigned again, and back to received
if it was in progress; the deadline does not restart."""

from dataclasses import dataclass, replace
from datetime import datetime

from handlers.domain.cases import CaseRecord, moved
from handlers.domain.ids import CaseId, DepartmentId
from handlers.domain.permissions import Actor
from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail
from handlers.usecases.changes import case_to_change, record_change

__all__ = ["Transfer", "Transferred", "transfer_case"]


@dataclass(frozen=True, slots=True)
class Transfer:
    case_id: CaseId
    department_id: DepartmentId
    department_code: str
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Transferred:
    """The old department's alert is to say where the case went, the new department gets an
    alert, and the worker is told why (the reason) and that the deadline stays."""

    case: CaseRecord
    before: CaseRecord
    reason: str


async def transfer_case(
    actor: Actor, transfer: Transfer, *, cases: CaseBook, trail: CaseTrail
) -> Transferred:
    case = await case_to_change(actor, transfer.case_id, "transfer", cases)
    passed = replace(
        case,
        department_id=transfer.department_id,
        department_code=transfer.department_code,
        assignee_id=None,
        status=moved(case.status, "transfer"),
    )
    await cases.save(passed)
    before = {
        "department": case.department_code,
        "assignee": case.assignee_id,
        "status": case.status,
    }
    after = {"department": passed.department_code, "assignee": None, "status": passed.status}
    reason = transfer.reason
    await record_change(
        trail, actor.label, passed, "transferred", transfer.at, before, after, reason=reason
    )
    return Transferred(passed, case, transfer.reason)
