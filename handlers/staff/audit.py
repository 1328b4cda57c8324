"""A staff member's change to a case, kept on the case's audit trail (read by ``timeline``)."""

from typing import Any

from handlers.context import Context
from handlers.staff.actor import Actor
from storage.cases import add_case_event
from storage.models import Case

__all__ = ["record_change"]


async def record_change(
    ctx: Context,
    actor: Actor,
    case: Case,
    kind: str,
    before: dict[str, Any],
    after: dict[str, Any],
    **more: Any,
) -> None:
    """Who changed ``case`` and when, what it was ``before`` and is ``after``, and anything
    ``more`` the change carries (a transfer's reason)."""
    data = {"before": before, "after": after, **more}
    await add_case_event(ctx.session, case, actor=actor.label, kind=kind, at=ctx.now, data=data)
