"""Anonymising closed cases: what identifies the worker goes, what the figures count stays.

A closed case keeps its department, county, sector, employer and project, amounts, dates,
outcome and survey ratings — the figures, exports and per-employer counts read those, and the
employer and project describe the employer, not the worker. It loses the reporter's name and
phone, the account of what happened, the site address, the outcome note, survey comments, the
free text of its trail (staff notes, reasons, consultation notes and parties' names), its
messages still in the outbox (alerts, notices), and its attachments. The attachment rows are
deleted; their files in the case file store, then referred to by no attachment, are deleted by
the bot's sweep of the store (``bot.case_files``), since handlers and storage never touch the
disk.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.case_files import purge_files_of
from storage.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    Consultation,
    Survey,
    Worker,
)
from storage.retention import forget_case_messages
from storage.upsert import skip_locked

__all__ = [
    "CLOSED",
    "DATA_DELETED",
    "FREE_TEXT_KEYS",
    "anonymise_case",
    "anonymise_old_cases",
    "forget_contact_if_no_open_case",
]

CLOSED = (CaseStatus.RESOLVED, CaseStatus.REJECTED)
DATA_DELETED = "data_deleted"
"""The trail's entry for a worker's request to delete their data (``storage.personal_data``):
a case open at the request is anonymised at the first sweep after its closing."""
FREE_TEXT_KEYS = frozenset(
    {"text", "comment", "notes", "reason", "name", "contact", "phone", "notice", "place"}
)
"""Keys of a trail entry's data whose text someone typed (a note may name the worker)."""


def redact(value: Any) -> Any:
    """``value`` with the text under ``FREE_TEXT_KEYS`` emptied, at any depth; codes, numbers
    and dates stay, so the trail still says what happened when."""
    if isinstance(value, dict):
        return {
            key: "" if key in FREE_TEXT_KEYS and isinstance(item, str) else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


async def anonymise_case(session: AsyncSession, case: Case, now: datetime) -> None:
    """Strip a closed case of what identifies the worker; then the worker's own name and phone
    too, unless another case of theirs is open."""
    assert case.id is not None and case.status in CLOSED
    case.reporter_name = ""
    case.reporter_phone = ""
    case.account = ""
    case.site_address = None
    case.site_latitude = None
    case.site_longitude = None
    case.outcome_note = None
    case.anonymised_at = now
    session.add(case)
    await purge_files_of(session, case.id, now)
    await session.exec(delete(Attachment).where(col(Attachment.case_id) == case.id))
    await forget_case_messages(session, case, now)
    for survey in (await session.exec(select(Survey).where(Survey.case_id == case.id))).all():
        survey.comment = None
        session.add(survey)
    consultations = select(Consultation).where(Consultation.case_id == case.id)
    for consultation in (await session.exec(consultations)).all():
        consultation.outcome_notes = None
        consultation.place = ""
        consultation.parties = redact(consultation.parties)
        session.add(consultation)
    for event in (await session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id))).all():
        cleaned = redact(event.data)
        if cleaned != event.data:
            event.data = cleaned
            session.add(event)
    if case.worker_id is not None:
        await forget_contact_if_no_open_case(session, case.worker_id)


async def forget_contact_if_no_open_case(session: AsyncSession, worker_id: int) -> bool:
    """The worker's name and phone go once no case of theirs is open; whether they went."""
    open_case = exists().where(col(Case.worker_id) == worker_id, col(Case.status).not_in(CLOSED))
    if (await session.exec(select(open_case))).one():
        return False
    worker = await session.get(Worker, worker_id)
    if worker is not None and (worker.name is not None or worker.phone is not None):
        worker.name = worker.phone = None
        session.add(worker)
    return True


async def anonymise_old_cases(
    session: AsyncSession, closed_before: datetime, now: datetime, limit: int
) -> int:
    """Anonymise up to ``limit`` cases closed before ``closed_before`` and not yet anonymised
    (a reopened case is open, so it waits for its next closing), and any closed case whose
    worker asked to delete their data while it was open; how many."""
    asked = exists().where(
        col(CaseEvent.case_id) == col(Case.id), col(CaseEvent.kind) == DATA_DELETED
    )
    statement = (
        select(Case)
        .where(
            col(Case.status).in_(CLOSED),
            col(Case.anonymised_at).is_(None),
            or_(col(Case.resolved_at) < closed_before, asked),
        )
        .order_by(col(Case.id))
        .limit(limit)
    )
    # a case being reopened right now is locked by that change: left for the next sweep
    cases = (await session.exec(skip_locked(session, statement, of=Case))).all()
    for case in cases:
        await anonymise_case(session, case, now)
    return len(cases)
