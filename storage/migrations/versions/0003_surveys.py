"""surveys

Return-visit and anti-rebound surveys.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 18:31:29.526370
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", storage.columns.UtcDateTime(), nullable=False),
        sa.Column("asked_at", storage.columns.UtcDateTime(), nullable=True),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("answered_at", storage.columns.UtcDateTime(), nullable=True),
        sa.Column("paid", sa.String(length=16), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("new_arrears", sa.Boolean(), nullable=True),
        sa.Column("created_at", storage.columns.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_survey_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
        sa.UniqueConstraint("case_id", "kind", "round", name=op.f("uq_survey_case_id_kind_round")),
    )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_status"))
        batch_op.drop_index(batch_op.f("ix_survey_case_id"))

    op.drop_table("survey")
