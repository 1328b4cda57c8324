"""attachment fetch due

When an attachment's pending fetch is next tried (and, while one is under way, when its claim
lapses), indexed with its status: the case file store's fetcher claims by these two.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        batch.add_column(sa.Column("fetch_due_at", storage.columns.UtcDateTime(), nullable=True))
        batch.create_index("ix_attachment_fetch", ["fetch_status", "fetch_due_at"])


def downgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        batch.drop_index("ix_attachment_fetch")
        batch.drop_column("fetch_due_at")
