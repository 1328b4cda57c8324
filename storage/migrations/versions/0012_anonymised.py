"""anonymised cases

A closed case loses its personal fields a set time after closing, or when the worker asks; the
case records when, so the retention sweep passes over it once. The files of its evidence are
listed for the case file store to delete (``storepurge``): the store deletes only files it is
told of, never whatever a database happens not to mention.

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
    op.create_table(
        "storepurge",
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("since", storage.columns.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_storepurge")),
    )


def downgrade() -> None:
    op.drop_table("storepurge")
    with op.batch_alter_table("case") as batch:
        batch.drop_index(batch.f("ix_case_anonymised_at"))
        batch.drop_column("anonymised_at")
