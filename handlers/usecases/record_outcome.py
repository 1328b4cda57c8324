"""Staff record what a consultation agreed (``/outcome``): the amount and the date it is to
be paid by, or that there was no agreement, and notes; an agreed payment is checked on."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.domain.cases import CaseRecord
from handlers.domain.consultations import PAYMENT_CHECK, ConsultationRecord, payment_check_at
from handlers.domain.errors import N_, Stale
from handlers.domain.ids import ConsultationId
from handlers.domain.permissions import Actor, ensure_can_act
from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail
from handlers.ports_consultations import ConsultationBook
from handlers.usecases.changes import NO_CASE

__all__ = ["ALREADY_RECORDED", "Outcome", "OutcomeRecorded", "record_outcome"]

ALREADY_RECORDED = N_("The outcome of this consultation is already recorded.")


@dataclass(frozen=True, slots=True)
class Outcome:
    consultation_id: ConsultationId
    amount_fen: int | None
    """The amount agreed, or None when no agreement was reached."""
    payment_due: date | None
    """The date it is to be paid by (None without an agreement)."""
    notes: str | None
    at: datetime
    zone: ZoneInfo
    """The time zone of the payment date (the worker is asked that evening)."""


@dataclass(frozen=True, slots=True)
class OutcomeRecorded:
    """The outcome is kept: the worker and the department are to be told."""

    consultation: ConsultationRecord
    case: CaseRecord


async def record_outcome(
    actor: Actor,
    request: Outcome,
    *,
    cases: CaseBook,
    consultations: ConsultationBook,
    trail: CaseTrail,
) -> OutcomeRecorded:
    """By who may act on the case, once per consultation; a closed case's outcome is still
    recorded, as the meeting took place."""
    consultation = await consultations.held(request.consultation_id)
    case = await cases.for_change(consultation.case_id) if consultation else None
    if consultation is None or case is None:
        raise Stale(NO_CASE)
    ensure_can_act(actor, case)
    if consultation.outcome_at is not None:
        raise Stale(ALREADY_RECORDED)
    payment_due = request.payment_due if request.amount_fen is not None else None
    recorded = replace(
        consultation,
        agreed_amount_fen=request.amount_fen,
        payment_due=payment_due,
        outcome_notes=request.notes,
        outcome_at=request.at,
    )
    await consultations.save(recorded)
    after = {
        "agreed_amount_fen": request.amount_fen,
        "payment_due": payment_due.isoformat() if payment_due else None,
        "notes": request.notes,
    }
    data = {"consultation": consultation.id, "before": None, "after": after}
    await trail.append(
        case.id, actor=actor.label, kind="consultation_outcome", at=request.at, data=data
    )
    if payment_due is not None:
        due_at = payment_check_at(payment_due, request.zone, request.at)
        await consultations.plan(PAYMENT_CHECK, recorded, due_at, request.at)
    return OutcomeRecorded(recorded, case)
