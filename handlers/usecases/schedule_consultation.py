"""Staff schedule a seven-party consultation (七方会商) on a case: the meeting, the trail, and
the reminders to both sides. Inviting the worker and telling the department is the door's."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.domain.cases import CaseRecord
from handlers.domain.consultations import REMINDERS, ConsultationRecord, ensure_acceptable_time
from handlers.domain.errors import N_, NotAllowed
from handlers.domain.ids import CaseId
from handlers.domain.permissions import Actor
from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail
from handlers.ports_consultations import ConsultationBook
from handlers.usecases.changes import case_to_change

__all__ = ["JOIN_FIRST", "Scheduled", "Scheduling", "schedule_consultation"]

JOIN_FIRST = N_("Join as staff (/join) before scheduling a consultation.")
"""An administrator who is not staff may act on cases, but a consultation needs its host."""


@dataclass(frozen=True, slots=True)
class Scheduling:
    case_id: CaseId
    scheduled_at: datetime
    place: str
    parties: tuple[Mapping[str, Any], ...]
    """Each party taking part: its ``role``, and its ``name`` and ``contact`` if given."""
    now: datetime


@dataclass(frozen=True, slots=True)
class Scheduled:
    """The consultation is on: the worker is to be invited and the department told."""

    consultation: ConsultationRecord
    case: CaseRecord


async def schedule_consultation(
    actor: Actor,
    request: Scheduling,
    *,
    cases: CaseBook,
    consultations: ConsultationBook,
    trail: CaseTrail,
) -> Scheduled:
    """Refused (``TimeRefused``) if the time has passed meanwhile, before the case is even
    read; then as any decision on the case: by who may act on it, while it is open. Only the
    reminders still ahead are planned (a meeting tomorrow morning gets no day-before one)."""
    now = request.now
    ensure_acceptable_time(request.scheduled_at, now)
    case = await case_to_change(actor, request.case_id, "consult", cases)
    if actor.staff is None:
        raise NotAllowed(JOIN_FIRST)
    parties = [dict(party) for party in request.parties]
    consultation = await consultations.add(
        case.id, request.scheduled_at, request.place, parties, actor.staff.id, now
    )
    after = {
        "consultation": consultation.id,
        "scheduled_at": request.scheduled_at.isoformat(),
        "place": request.place,
        "parties": parties,
    }
    data = {"before": None, "after": after}
    await trail.append(case.id, actor=actor.label, kind="consultation_scheduled", at=now, data=data)
    for kind, ahead in REMINDERS.items():
        if request.scheduled_at - ahead > now:
            await consultations.plan(kind, consultation, request.scheduled_at - ahead, now)
    return Scheduled(consultation, case)
