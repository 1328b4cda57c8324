"""The worker's full contact, for staff who may act on the case; every view is on the trail."""

from dataclasses import dataclass
from datetime import datetime

from handlers.domain.cases import CaseRecord
from handlers.domain.ids import CaseId
from handlers.domain.permissions import Actor
from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail
from handlers.usecases.changes import case_to_change

__all__ = ["ContactRequest", "ContactShown", "view_contact"]


@dataclass(frozen=True, slots=True)
class ContactRequest:
    case_id: CaseId
    at: datetime


@dataclass(frozen=True, slots=True)
class ContactShown:
    """The contact to send the viewer privately."""

    case: CaseRecord
    name: str
    phone: str


async def view_contact(
    actor: Actor, request: ContactRequest, *, cases: CaseBook, trail: CaseTrail
) -> ContactShown:
    case = await case_to_change(actor, request.case_id, "contact", cases)
    await trail.append(case.id, actor=actor.label, kind="contact_viewed", at=request.at, data={})
    return ContactShown(case, case.reporter_name, case.reporter_phone)
