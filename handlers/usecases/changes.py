"""What every decision on a case starts and ends with: the case read for the change and
checked, and the change kept on the trail."""

from datetime import datetime
from typing import Any

from handlers.domain.cases import CaseRecord
from handlers.domain.errors import N_, Stale
from handlers.domain.ids import CaseId
from handlers.domain.permissions import Actor, ensure_can_press
from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail

__all__ = ["NO_CASE", "case_to_change", "close", "record_change"]

NO_CASE = N_("This case no longer exists; nothing changed.")
"""For a case id that names no case, whether stale or forged (out of range, not a number)."""


async def case_to_change(actor: Actor, case_id: CaseId, verb: str, cases: CaseBook) -> CaseRecord:
    """The case as it is now, held until the change is saved, if ``actor`` may ``verb`` it."""
    case = await cases.for_change(case_id)
    if case is None:
        raise Stale(NO_CASE)
    ensure_can_press(actor, case, verb)
    return case


async def record_change(
    trail: CaseTrail,
    actor: str,
    case: CaseRecord,
    kind: str,
    at: datetime,
    before: dict[str, Any],
    after: dict[str, Any],
    **more: Any,
) -> None:
    """Who changed ``case`` and when, what it was ``before`` and is ``after``, and anything
    ``more`` the change carries (a transfer's reason)."""
    data = {"before": before, "after": after, **more}
    await trail.append(case.id, actor=actor, kind=kind, at=at, data=data)


async def close(
    actor: Actor,
    case: CaseRecord,
    closing: CaseRecord,
    kind: str,
    at: datetime,
    *,
    cases: CaseBook,
    trail: CaseTrail,
    **settled: Any,
) -> None:
    """Keep ``closing`` (``case`` resolved or rejected): the trail keeps its status and outcome
    before and after, with what else was ``settled``."""
    await cases.save(closing)
    before = {"status": case.status, "outcome": case.outcome}
    after = {"status": closing.status, "outcome": closing.outcome, **settled}
    await record_change(trail, actor.label, closing, kind, at, before, after)
