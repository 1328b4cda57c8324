"""anonymised cases

A closed case loses its personal fields a set time after closing, or when the worker asks; the
case records when, so the retention sweep passes over it once.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("anonymised_at", storage.columns.UtcDateTime(), nullable=True))
        batch.create_index(batch.f("ix_case_anonymised_at"), ["anonymised_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.drop_index(batch.f("ix_case_anonymised_at"))
        batch.drop_column("anonymised_at")
