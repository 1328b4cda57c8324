"""The case's worker answering a button about their consultation: ``<prefix>:<id>:<answer>``.

The invitation (will you attend?) and the payment check (has the money arrived?) are answered
alike: only the case's own worker may answer, and an answer goes on the case's trail, next to
the one it replaces, only when it changes.
"""

from handlers import callbacks
from handlers.context import Context
from handlers.domain.errors import NotAllowed
from handlers.formatting import N_
from storage.cases import add_case_event
from storage.models import Case, Consultation

__all__ = ["ensure_own_worker", "pressed_consultation", "record_answer"]


async def pressed_consultation(ctx: Context, prefix: str) -> tuple[Consultation | None, str]:
    """The consultation and answer a press names; no consultation for data no button of ours
    could carry (an id beyond the column's range would be an error on PostgreSQL, not a miss)."""
    try:
        raw_id, answer = callbacks.unpack(ctx.event.callback_data, prefix=prefix, size=2)
        consultation_id = callbacks.parse_id(raw_id)
    except callbacks.CallbackDataError:
        return None, ""
    return await ctx.session.get(Consultation, consultation_id), answer


def ensure_own_worker(ctx: Context, case: Case) -> None:
    if ctx.worker is None or case.worker_id != ctx.worker.id:
        raise NotAllowed(N_("This button is not for you."))


async def record_answer(
    ctx: Context,
    case: Case,
    consultation: Consultation,
    kind: str,
    before: str | bool | None,
    after: str | bool,
) -> bool:
    """Keep the answer and acknowledge the press; the same answer again is only acknowledged
    as already recorded, and False tells the caller that nothing changed."""
    if before == after:
        ctx.answer(ctx._("Your answer is already recorded."))
        return False
    await add_case_event(
        ctx.session,
        case,
        actor=f"worker:{ctx.event.user_id}",
        kind=kind,
        at=ctx.now,
        data={"consultation": consultation.id, "before": before, "after": after},
    )
    ctx.answer()
    return True
