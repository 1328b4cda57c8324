"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 18:01:46.400877
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "casecounter",
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name=op.f("pk_casecounter")),
    )
    op.create_table(
        "conversation",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("flow", sa.String(length=32), nullable=True),
        sa.Column("step", sa.String(length=32), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.columns.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_conversation")),
    )
    op.create_table(
        "department",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("county", sa.String(length=32), nullable=True),
        sa.Column("deadline_days", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department")),
        sa.UniqueConstraint("code", name=op.f("uq_department_code")),
    )
    op.create_table(
        "inboxevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("received_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("handled_at", storage.columns.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inboxevent")),
        sa.UniqueConstraint("update_id", name=op.f("uq_inboxevent_update_id")),
    )
    with op.batch_alter_table("inboxevent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inboxevent_chat_pending", ["chat_id", "status", "update_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inboxevent_status"), ["status"], unique=False)

    op.create_table(
        "outboxmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("ambiguous", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=36), nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("sent_at", storage.columns.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outboxmessage")),
    )
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outboxmessage_chat_order", ["chat_id", "status", "id"], unique=False
        )
        batch_op.create_index("ix_outboxmessage_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outboxmessage_ref"), ["ref"], unique=False)

    op.create_table(
        "sender",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("heartbeat_at", storage.columns.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sender")),
    )
    op.create_table(
        "worker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("language", sa.String(), nullable=True),
        sa.Column("unreachable_since", storage.columns.UtcDateTime(), nullable=True),
        sa.Column("created_at", storage.columns.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_worker_telegram_user_id")),
    )
    op.create_table(
        "case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("county", sa.String(length=32), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("reporter_name", sa.String(), nullable=False),
        sa.Column("reporter_phone", sa.String(length=32), nullable=False),
        sa.Column("employer", sa.String(), nullable=False),
        sa.Column("project", sa.String(), nullable=False),
        sa.Column("site_address", sa.String(), nullable=True),
        sa.Column("site_latitude", sa.Float(), nullable=True),
        sa.Column("site_longitude", sa.Float(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("workers_owed", sa.Integer(), nullable=False),
        sa.Column("owed_since", sa.Date(), nullable=False),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("deadline_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("created_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("resolved_at", storage.columns.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_case_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_case_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case")),
        sa.UniqueConstraint("number", name=op.f("uq_case_number")),
    )
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_deadline_at"), ["deadline_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_worker_id"), ["worker_id"], unique=False)

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_id", sa.String(), nullable=False),
        sa.Column("file_unique_id", sa.String(length=128), nullable=False),
        sa.Column("file_name", sa.String(), nullable=True),
        sa.Column("created_at", storage.columns.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_attachment_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_case_id"), ["case_id"], unique=False)

    op.create_table(
        "caseevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.columns.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_caseevent_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caseevent")),
    )
    with op.batch_alter_table("caseevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_caseevent_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("caseevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_caseevent_case_id"))

    op.drop_table("caseevent")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_case_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_worker_id"))
        batch_op.drop_index(batch_op.f("ix_case_status"))
        batch_op.drop_index(batch_op.f("ix_case_department_id"))
        batch_op.drop_index(batch_op.f("ix_case_deadline_at"))
        batch_op.drop_index(batch_op.f("ix_case_created_at"))

    op.drop_table("case")
    op.drop_table("worker")
    op.drop_table("sender")
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outboxmessage_ref"))
        batch_op.drop_index("ix_outboxmessage_due")
        batch_op.drop_index("ix_outboxmessage_chat_order")

    op.drop_table("outboxmessage")
    with op.batch_alter_table("inboxevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inboxevent_status"))
        batch_op.drop_index("ix_inboxevent_chat_pending")

    op.drop_table("inboxevent")
    op.drop_table("department")
    op.drop_table("conversation")
    op.drop_table("casecounter")
