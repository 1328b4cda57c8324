"""The tables. One plain noun per concept, named after the practice it records.

Money is stored in fen (integer) so SQLite and PostgreSQL agree to the cent; times are aware
UTC (see ``columns.UtcDateTime``).
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, MetaData, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.columns import UtcDateTime

__all__ = [
    "Attachment",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "CaseStatus",
    "Conversation",
    "Department",
    "InboxEvent",
    "InboxStatus",
    "OutboxMessage",
    "OutboxStatus",
    "Sender",
    "Worker",
]

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


class CaseStatus(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    REOPENED = "reopened"


class InboxStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


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
    worker_id: int = Field(foreign_key="worker.id", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    status: str = Field(default=CaseStatus.RECEIVED, max_length=16, index=True)
    source: str = Field(default="telegram", max_length=16)
    language: str = Field(max_length=8)
    county: str = Field(max_length=32)
    sector: str = Field(max_length=32)
    reporter_name: str
    reporter_phone: str = Field(max_length=32)
    employer: str
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


class Attachment(SQLModel, table=True):
    """Evidence a worker sent: Telegram keeps the file, we keep its id."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    kind: str = Field(max_length=16)
    file_id: str
    file_unique_id: str = Field(max_length=128)
    file_name: str | None = None
    created_at: datetime = Field(sa_type=UtcDateTime)


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
    )

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(sa_type=BigInteger)
    chat_id: int = Field(sa_type=BigInteger)
    payload: dict[str, Any] = Field(sa_type=JSON)
    status: str = Field(default=InboxStatus.PENDING, max_length=16, index=True)
    error: str | None = Field(default=None, sa_type=Text)
    received_at: datetime = Field(sa_type=UtcDateTime)
    handled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Sender(SQLModel, table=True):
    """A running outbox sender; its heartbeat vouches for the messages it has claimed."""

    id: str = Field(primary_key=True, max_length=36)
    heartbeat_at: datetime = Field(sa_type=UtcDateTime)


class OutboxMessage(SQLModel, table=True):
    """A message to deliver; written in the same transaction as the change that caused it."""

    __table_args__ = (
        Index("ix_outboxmessage_due", "status", "next_attempt_at"),
        Index("ix_outboxmessage_chat_order", "chat_id", "status", "id"),
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
