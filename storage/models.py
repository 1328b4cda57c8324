"""The tables. One plain noun per concept, named after the practice it records.

Money is stored in fen (integer) so SQLite and PostgreSQL agree to the cent; times are aware
UTC (see ``columns.UtcDateTime``).
"""

import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Connection,
    Index,
    MetaData,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapper
from sqlmodel import Field, SQLModel

from handlers.domain.cases import CaseStatus, StaffRole
from handlers.domain.surveys import SurveyStatus
from storage.columns import UtcDateTime

__all__ = [
    "Attachment",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "CaseStatus",
    "Consultation",
    "Conversation",
    "Department",
    "DueStatus",
    "DueTask",
    "InboxEvent",
    "InboxStatus",
    "Invite",
    "LostGroup",
    "OutboxMessage",
    "OutboxStatus",
    "SenderHeartbeat",
    "Staff",
    "StaffRole",
    "Survey",
    "SurveyStatus",
    "VisitBooking",
    "VisitStatus",
    "Worker",
    "employer_key",
]

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


class DueStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


class InboxStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    THROTTLED = "throttled"
    """Past its sender's budget of updates a minute: kept, never handled."""


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"


class Worker(SQLModel, table=True):
    """A person who reports arrears; one row per Telegram user."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=BigInteger, unique=True)
    chat_id: int = Field(sa_type=BigInteger)
    name: str | None = None
    phone: str | None = None
    language: str | None = None
    unreachable_since: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(sa_type=UtcDateTime)
    consent_version: str | None = None
    """The version of the privacy notice the worker agreed to before reporting, if any."""
    consent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class LostGroup(SQLModel, table=True):
    """A group that removed the bot (or no longer exists): flagged until the bot is added back,
    so that the administrators are told once per removal, not once per message."""

    chat_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    since: datetime = Field(sa_type=UtcDateTime)


class Department(SQLModel, table=True):
    """A department that owns cases; mirrored from the routing file at start-up."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=64)
    name_zh: str
    name_en: str
    chat_id: int = Field(sa_type=BigInteger)
    county: str | None = Field(default=None, max_length=32)
    deadline_days: int | None = None


class Case(SQLModel, table=True):
    """One complaint of unpaid wages, from intake to resolution."""

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=32)
    worker_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    """None for a case staff filed for someone who is not on Telegram."""
    department_id: int = Field(foreign_key="department.id", index=True)
    status: str = Field(default=CaseStatus.RECEIVED, max_length=16, index=True)
    source: str = Field(default="telegram", max_length=16)
    language: str = Field(max_length=8)
    county: str = Field(max_length=32)
    sector: str = Field(max_length=32)
    reporter_name: str
    reporter_phone: str = Field(max_length=32)
    employer: str
    employer_key: str = Field(default="", index=True)
    """``employer_key(employer)``, set on every write: open cases per employer are counted by
    an index, not by reading every open case."""
    project: str
    site_address: str | None = None
    site_latitude: float | None = None
    site_longitude: float | None = None
    amount_fen: int = Field(sa_type=BigInteger)
    workers_owed: int
    owed_since: date
    account: str = Field(sa_type=Text)
    deadline_at: datetime = Field(sa_type=UtcDateTime, index=True)
    created_at: datetime = Field(sa_type=UtcDateTime, index=True)
    resolved_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    assignee_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    hard: bool = False
    hard_reasons: list[str] = Field(default_factory=list, sa_type=JSON)
    escalated_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    overdue_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    outcome: str | None = Field(default=None, max_length=32)
    outcome_note: str | None = Field(default=None, sa_type=Text)
    amount_recovered_fen: int | None = Field(default=None, sa_type=BigInteger)
    workers_paid: int | None = None
    anonymised_at: datetime | None = Field(default=None, sa_type=UtcDateTime, index=True)
    """When the case lost its personal fields (``storage.anonymise``); figures still count it."""


def employer_key(name: str) -> str:
    """One key for the ways people type a name: "Xijiang  Co-op", "xijiang co-op" and
    "ｘｉｊｉａｎｇ　Co-op" (full-width) are one employer."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


@event.listens_for(Case, "before_insert")
@event.listens_for(Case, "before_update")
def _key_employer(_mapper: Mapper[Case], _connection: Connection, case: Case) -> None:
    case.employer_key = employer_key(case.employer)


class Staff(SQLModel, table=True):
    """A person who acts on cases: a department's handler, a lead, or a supervisor.

    A handler belongs to a department; a lead to a county (``county``) or, with neither set,
    to the whole city; a supervisor (the discipline commission) sees everything.
    """

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=BigInteger, index=True)
    chat_id: int = Field(sa_type=BigInteger)
    name: str
    role: str = Field(max_length=16)
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    county: str | None = Field(default=None, max_length=32)
    active: bool = True
    created_at: datetime = Field(sa_type=UtcDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Invite(SQLModel, table=True):
    """A one-time code that makes whoever sends ``/join CODE`` staff in the given role."""

    code: str = Field(primary_key=True, max_length=16)
    role: str = Field(max_length=16)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    county: str | None = Field(default=None, max_length=32)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used_by: int | None = Field(default=None, foreign_key="staff.id")
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class DueTask(SQLModel, table=True):
    """Work that falls due at a time: reminders, deadlines, consultations, return visits.

    The row is the only record of the work; the scheduler merely looks for due rows, claims
    each atomically and marks it done in the transaction that writes its messages.
    """

    __table_args__ = (
        Index("ix_duetask_due", "status", "due_at"),
        UniqueConstraint("kind", "subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    subject: str = Field(max_length=64)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    due_at: datetime = Field(sa_type=UtcDateTime)
    status: str = Field(default=DueStatus.PENDING, max_length=16)
    attempts: int = 0
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=UtcDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Consultation(SQLModel, table=True):
    """A seven-party consultation (七方会商) on a case: when, where, who, and what was agreed."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    scheduled_at: datetime = Field(sa_type=UtcDateTime)
    place: str
    parties: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    worker_attends: bool | None = None
    created_by: int = Field(foreign_key="staff.id")
    created_at: datetime = Field(sa_type=UtcDateTime)
    agreed_amount_fen: int | None = Field(default=None, sa_type=BigInteger)
    payment_due: date | None = None
    outcome_notes: str | None = Field(default=None, sa_type=Text)
    outcome_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Survey(SQLModel, table=True):
    """A question put to the worker after a case: the return visit (回访) after a resolution,
    or the anti-rebound check (防反弹) weeks later. One per kind and resolution round, so a
    reopened and re-resolved case gets a new one."""

    __table_args__ = (UniqueConstraint("case_id", "kind", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    kind: str = Field(max_length=16)
    round: int = 1
    status: str = Field(default=SurveyStatus.SCHEDULED, max_length=16, index=True)
    due_at: datetime = Field(sa_type=UtcDateTime)
    asked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    reminders: int = 0
    answered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    paid: str | None = Field(default=None, max_length=16)
    rating: int | None = None
    comment: str | None = Field(default=None, sa_type=Text)
    new_arrears: bool | None = None
    created_at: datetime = Field(sa_type=UtcDateTime)


class VisitStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    """By the worker, before the visit began."""


class VisitBooking(SQLModel, table=True):
    """A worker's appointment at a reception point (约访)."""

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    point: str = Field(max_length=64)
    slot_at: datetime = Field(sa_type=UtcDateTime, index=True)
    status: str = Field(default=VisitStatus.BOOKED, max_length=16)
    created_at: datetime = Field(sa_type=UtcDateTime)


class CaseCounter(SQLModel, table=True):
    """The last sequence number handed out per prefix and year (``DX-2026-000042``)."""

    prefix: str = Field(primary_key=True, max_length=16)
    year: int = Field(primary_key=True)
    last: int = 0


class CaseEvent(SQLModel, table=True):
    """The audit trail: append-only, one row per change or view of a case."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    actor: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(sa_type=UtcDateTime)


class AttachmentRole(StrEnum):
    EVIDENCE = "evidence"
    STORY = "story"
    """A voice message given as the answer to "what happened"."""


class FetchStatus(StrEnum):
    """Where the file's own copy in the case file store stands."""

    PENDING = "pending"
    STORED = "stored"
    REFUSED = "refused"
    """Over the size limit or of a type not accepted: never fetched, kept as Telegram's id."""
    FAILED = "failed"
    """Given up after the last retry; staff still get it by Telegram's id while that works."""


class Attachment(SQLModel, table=True):
    """A file a worker sent (evidence, or their story told by voice). Telegram's file id
    serves while it works; the case file store keeps the file itself (``stored_path``, with
    its hash), so the case file outlives the id and a change of bot token."""

    __table_args__ = (Index("ix_attachment_fetch", "fetch_status", "fetch_due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    kind: str = Field(max_length=16)
    """``photo``, ``document``, ``voice`` or ``audio``."""
    role: str = Field(default=AttachmentRole.EVIDENCE, max_length=16)
    file_id: str
    file_unique_id: str = Field(max_length=128)
    file_name: str | None = None
    mime_type: str | None = Field(default=None, max_length=128)
    size: int | None = Field(default=None, sa_type=BigInteger)
    """As Telegram reported it when the worker sent the file."""
    duration: int | None = None
    """Seconds, for voice and audio."""
    created_at: datetime = Field(sa_type=UtcDateTime)
    fetch_status: str = Field(default=FetchStatus.PENDING, max_length=16)
    fetch_attempts: int = 0
    fetch_due_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    """When a pending fetch is next tried; while one is under way, when its claim lapses."""
    fetch_error: str | None = None
    sha256: str | None = Field(default=None, max_length=64)
    stored_path: str | None = None
    """Relative to ``EVIDENCE_DIR``."""
    stored_size: int | None = Field(default=None, sa_type=BigInteger)
    stored_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class StorePurge(SQLModel, table=True):
    """A file of the case file store whose attachment went with an anonymised case: the
    fetcher deletes it, unless an attachment refers to the same content again."""

    path: str = Field(primary_key=True, max_length=200)
    """Relative to ``EVIDENCE_DIR``, as ``Attachment.stored_path``."""
    since: datetime = Field(sa_type=UtcDateTime)


class Conversation(SQLModel, table=True):
    """Where a chat is in a guided flow, so any restart or instance continues it."""

    chat_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    flow: str | None = Field(default=None, max_length=32)
    step: str | None = Field(default=None, max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = Field(sa_type=UtcDateTime)


class InboxEvent(SQLModel, table=True):
    """An update made durable before Telegram is told it was received."""

    __table_args__ = (
        UniqueConstraint("update_id"),
        Index("ix_inboxevent_chat_pending", "chat_id", "status", "update_id"),
        Index("ix_inboxevent_user_recent", "user_id", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(sa_type=BigInteger)
    chat_id: int = Field(sa_type=BigInteger)
    user_id: int | None = Field(default=None, sa_type=BigInteger)
    payload: dict[str, Any] = Field(sa_type=JSON)
    status: str = Field(default=InboxStatus.PENDING, max_length=16, index=True)
    error: str | None = Field(default=None, sa_type=Text)
    attempts: int = 0
    """Failed tries to handle it (not counting the database being away); see bot/pipeline.py."""
    received_at: datetime = Field(sa_type=UtcDateTime)
    handled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class SenderHeartbeat(SQLModel, table=True):
    """The heartbeat of a running outbox sender (``bot.sender.Sender``): it vouches for the
    messages the sender has claimed."""

    id: str = Field(primary_key=True, max_length=36)
    heartbeat_at: datetime = Field(sa_type=UtcDateTime)


class OutboxMessage(SQLModel, table=True):
    """A message to deliver; written in the same transaction as the change that caused it."""

    __table_args__ = (
        Index("ix_outboxmessage_due", "status", "next_attempt_at"),
        Index("ix_outboxmessage_chat_order", "chat_id", "status", "id"),
        Index(
            "ix_outboxmessage_unforgotten",
            "id",
            postgresql_where=text("forgotten_at IS NULL"),
            sqlite_where=text("forgotten_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger)
    method: str = Field(max_length=32)
    payload: dict[str, Any] = Field(sa_type=JSON)
    ref: str | None = Field(default=None, max_length=64, index=True)
    status: str = Field(default=OutboxStatus.PENDING, max_length=16)
    attempts: int = 0
    ambiguous: int = 0
    next_attempt_at: datetime = Field(sa_type=UtcDateTime)
    claimed_by: str | None = Field(default=None, max_length=36)
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    forget_on_delivery: bool = False
    """Personal data only its reader needs (a worker's contact, a file): gone once delivered."""
    forgotten_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    """When the payload was emptied (on delivery, or by the retention sweep)."""
