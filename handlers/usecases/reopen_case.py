"""A resolved case goes back to work (跟踪问效): the worker says the money has not all arrived.

Raises ``handlers.domain.surveys.NotResolved`` for a case that is not resolved; nothing is
written then. The deadline's reminders are planned by the caller (``plan_deadlines``), which
keys them by the case.
"""

from dataclasses import dataclass
from datetime import datetime

from handlers.domain.ids import CaseId
from handlers.domain.surveys import SurveyedCase, reopen
from handlers.ports_case_trail import CaseTrail
from handlers.ports_surveys import ReopenableCases, SurveyBook

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

    case: SurveyedCase
    paid: str


async def reopen_case(
    actor: str,
    request: ReopenCase,
    cases: ReopenableCases,
    surveys: SurveyBook,
    trail: CaseTrail,
) -> CaseReopened:
    """Reopen the held case with a fresh deadline; the surveys of the old resolution not yet
    asked are cancelled (the next resolution plans its own)."""
    reopening = reopen(await cases.held(request.case_id), request.now, request.default_days)
    await cases.save_reopened(reopening.case)
    data = {"before": reopening.before, "after": reopening.after, "paid": request.paid}
    case_id = CaseId(request.case_id)
    await trail.append(case_id, actor=actor, kind="reopened", at=request.now, data=data)
    await surveys.cancel_scheduled(request.case_id)
    return CaseReopened(reopening.case, request.paid)
