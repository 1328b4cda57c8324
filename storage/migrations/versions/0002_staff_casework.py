"""staff casework

Staff and roles, invites, due work, consultations, visit bookings; case ownership,
hard-case flags and outcomes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 18:22:03.962031
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("county", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("removed_at", storage.columns.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_staff_department_id_department")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_department_id"), ["department_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_staff_telegram_user_id"), ["telegram_user_id"], unique=False
        )

    op.create_table(
        "visitbooking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("point", sa.String(length=64), nullable=False),
        sa.Column("slot_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", storage.columns.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_visitbooking_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visitbooking")),
    )
    with op.batch_alter_table("visitbooking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visitbooking_slot_at"), ["slot_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_visitbooking_worker_id"), ["worker_id"], unique=False)

    op.create_table(
        "invite",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("county", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("expires_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.Column("used_at", storage.columns.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_invite_department_id_department")
        ),
        sa.ForeignKeyConstraint(["used_by"], ["staff.id"], name=op.f("fk_invite_used_by_staff")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_invite")),
    )
    op.create_table(
        "consultation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("place", sa.String(), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("worker_attends", sa.Boolean(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("agreed_amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("payment_due", sa.Date(), nullable=True),
        sa.Column("outcome_notes", sa.Text(), nullable=True),
        sa.Column("outcome_at", storage.columns.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_consultation_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff.id"], name=op.f("fk_consultation_created_by_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation")),
    )
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_case_id"), ["case_id"], unique=False)

    op.create_table(
        "duetask",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("due_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("done_at", storage.columns.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_duetask_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duetask")),
        sa.UniqueConstraint("kind", "subject", name=op.f("uq_duetask_kind_subject")),
    )
    with op.batch_alter_table("duetask", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duetask_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_duetask_due", ["status", "due_at"], unique=False)

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.alter_column("worker_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("hard", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("hard_reasons", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("escalated_at", storage.columns.UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("overdue_at", storage.columns.UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("outcome_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("amount_recovered_fen", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("workers_paid", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_case_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_case_assignee_id_staff"), "staff", ["assignee_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.alter_column("worker_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f("fk_case_assignee_id_staff"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_case_assignee_id"))
        batch_op.drop_column("workers_paid")
        batch_op.drop_column("amount_recovered_fen")
        batch_op.drop_column("outcome_note")
        batch_op.drop_column("outcome")
        batch_op.drop_column("overdue_at")
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("hard_reasons")
        batch_op.drop_column("hard")
        batch_op.drop_column("assignee_id")

    with op.batch_alter_table("duetask", schema=None) as batch_op:
        batch_op.drop_index("ix_duetask_due")
        batch_op.drop_index(batch_op.f("ix_duetask_case_id"))

    op.drop_table("duetask")
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_case_id"))

    op.drop_table("consultation")
    op.drop_table("invite")
    with op.batch_alter_table("visitbooking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visitbooking_worker_id"))
        batch_op.drop_index(batch_op.f("ix_visitbooking_slot_at"))

    op.drop_table("visitbooking")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_telegram_user_id"))
        batch_op.drop_index(batch_op.f("ix_staff_department_id"))

    op.drop_table("staff")
