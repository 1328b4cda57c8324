"""A note on a case: for staff only, or news the worker is told too."""

from dataclasses import dataclass
from datetime import datetime

from handlers.domain.cases import CaseRecord
from handlers.domain.ids import CaseId
from handlers.domain.permissions import Actor
from handlers.ports_case_book import CaseBook
from handlers.ports_case_trail import CaseTrail
from handlers.usecases.changes import case_to_change

__all__ = ["Note", "NoteAdded", "add_note"]


@dataclass(frozen=True, slots=True)
class Note:
    case_id: CaseId
    text: str
    worker_sees: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class NoteAdded:
    """The department is shown the note; the worker too when ``worker_told``."""

    case: CaseRecord
    author: str
    text: str
    worker_told: bool


async def add_note(actor: Actor, note: Note, *, cases: CaseBook, trail: CaseTrail) -> NoteAdded:
    """Anyone who may see the case may comment on it while it is open."""
    case = await case_to_change(actor, note.case_id, "note", cases)
    data = {"text": note.text, "worker_sees": note.worker_sees}
    await trail.append(case.id, actor=actor.label, kind="note", at=note.at, data=data)
    return NoteAdded(case, actor.name, note.text, note.worker_sees)
