"""A resolved case goes back to work (跟踪问效): the worker says the money has not all arrived.

Raises ``handlers.domain.cases.NotResolved`` for a case that is not resolved; nothing is
written then. The deadline's reminders are planned by the caller (``plan_deadlines``), which
keys them by the case.
"""

from dataclasses import dataclass
from datetime import datetime

from handlers.domain.cases import CaseRecord, reopen
from handlers.domain.ids import CaseId
from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail
from handlers.ports_surveys import SurveyBook

__all__ = ["CaseReopened", "ReopenCase", "reopen_case"]


@dataclass(frozen=True, slots=True)
class ReopenCase:
    case_id: int
    paid: str
    """What the worker says arrived: ``partly`` or ``none``."""
    now: datetime
    default_days: int
    """Days to act for a department without its own."""


@dataclass(frozen=True, slots=True)
class CaseReopened:
    """The case is open again with a new deadline: its department, its leads and its worker
    are to be told why (``paid``) and by when."""

    case: CaseRecord
    paid: str


async def reopen_case(
    actor: str,
    request: ReopenCase,
    cases: CaseBook,
    surveys: SurveyBook,
    trail: CaseTrail,
) -> CaseReopened:
    """Reopen the held case with a fresh deadline; the surveys of the old resolution not yet
    asked are cancelled (the next resolution plans its own)."""
    case_id = CaseId(request.case_id)
    case = await cases.for_change(case_id)
    assert case is not None, f"case {case_id} to reopen does not exist"
    reopening = reopen(case, request.now, request.default_days)
    await cases.save(reopening.case)
    data = {"before": reopening.before, "after": reopening.after, "paid": request.paid}
    await trail.append(case_id, actor=actor, kind="reopened", at=request.now, data=data)
    await surveys.cancel_scheduled(request.case_id)
    return CaseReopened(reopening.case, request.paid)
