"""worker consent

The version of the privacy notice a worker agreed to, and when, so that a worker is told again
when the notice changes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("worker") as batch:
        batch.add_column(sa.Column("consent_version", sa.String(), nullable=True))
        batch.add_column(sa.Column("consent_at", storage.columns.UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("worker") as batch:
        batch.drop_column("consent_at")
        batch.drop_column("consent_version")
