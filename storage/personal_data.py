"""What the bot holds about one worker (``/mydata``), and deleting what no open case needs
(``/deletemydata``)."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.anonymise import (
    CLOSED,
    DATA_DELETED,
    anonymise_case,
    forget_contact_if_no_open_case,
)
from storage.cases import add_case_event
from storage.models import (
    Attachment,
    Case,
    CaseEvent,
    Department,
    Survey,
    VisitBooking,
    VisitStatus,
    Worker,
)

__all__ = ["DATA_DELETED", "Erasure", "HeldCase", "erase_worker_data", "held_cases", "visits_of"]


@dataclass(slots=True)
class HeldCase:
    case: Case
    department: Department
    events: list[CaseEvent] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    surveys: list[Survey] = field(default_factory=list)


async def held_cases(session: AsyncSession, worker_id: int) -> list[HeldCase]:
    """Every case of the worker, oldest first, with its trail, files and surveys."""
    statement = (
        select(Case, Department)
        .join(Department, col(Department.id) == col(Case.department_id))
        .where(col(Case.worker_id) == worker_id)
        .order_by(col(Case.created_at), col(Case.id))
    )
    held = {
        case.id: HeldCase(case, department) for case, department in await session.exec(statement)
    }
    ids = list(held)
    for event in await session.exec(
        select(CaseEvent).where(col(CaseEvent.case_id).in_(ids)).order_by(col(CaseEvent.id))
    ):
        held[event.case_id].events.append(event)
    for attachment in await session.exec(
        select(Attachment).where(col(Attachment.case_id).in_(ids)).order_by(col(Attachment.id))
    ):
        held[attachment.case_id].attachments.append(attachment)
    for survey in await session.exec(
        select(Survey).where(col(Survey.case_id).in_(ids)).order_by(col(Survey.id))
    ):
        held[survey.case_id].surveys.append(survey)
    return list(held.values())


async def visits_of(session: AsyncSession, worker_id: int) -> list[VisitBooking]:
    statement = (
        select(VisitBooking)
        .where(col(VisitBooking.worker_id) == worker_id)
        .order_by(col(VisitBooking.slot_at))
    )
    return list((await session.exec(statement)).all())


@dataclass(frozen=True, slots=True)
class Erasure:
    """What a request to delete left behind and took, in numbers (the trail holds these)."""

    anonymised: int
    """Closed cases anonymised now."""
    open_numbers: tuple[str, ...]
    """Open cases, kept until they are closed (then anonymised by the next daily sweep)."""
    visits_deleted: int
    visits_kept: int
    """Bookings still to come: the worker may yet go, and cancels them with their buttons."""
    contact_deleted: bool


async def erase_worker_data(
    session: AsyncSession, worker: Worker, actor: str, now: datetime
) -> Erasure:
    """Anonymise the worker's closed cases, delete their past and cancelled visit bookings and,
    with no case open, their name and phone; note the request on each of their cases."""
    assert worker.id is not None
    cases = (await session.exec(select(Case).where(col(Case.worker_id) == worker.id))).all()
    anonymised = 0
    for case in cases:
        if case.status in CLOSED and case.anonymised_at is None:
            await anonymise_case(session, case, now)
            anonymised += 1
    open_numbers = tuple(sorted(case.number for case in cases if case.status not in CLOSED))
    gone = or_(col(VisitBooking.slot_at) <= now, col(VisitBooking.status) == VisitStatus.CANCELLED)
    result = await session.exec(
        delete(VisitBooking).where(col(VisitBooking.worker_id) == worker.id, gone)
    )
    kept = len(await visits_of(session, worker.id))
    erasure = Erasure(
        anonymised=anonymised,
        open_numbers=open_numbers,
        visits_deleted=int(result.rowcount or 0),
        visits_kept=kept,
        contact_deleted=await forget_contact_if_no_open_case(session, worker.id),
    )
    counts = {
        "anonymised": erasure.anonymised,
        "open_kept": len(open_numbers),
        "visits_deleted": erasure.visits_deleted,
        "visits_kept": erasure.visits_kept,
    }
    for case in cases:
        await add_case_event(session, case, actor=actor, kind=DATA_DELETED, at=now, data=counts)
    return erasure
