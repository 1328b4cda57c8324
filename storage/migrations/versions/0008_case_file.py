"""case file

Each attachment's own copy in the case file store (path, SHA-256, size, when) and where its
fetch stands; what Telegram said of it (MIME type, size, a voice message's duration); and its
role (evidence, or the worker's story told by voice).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: tuple[sa.Column[object], ...] = (
    sa.Column("role", sa.String(length=16), nullable=False, server_default="evidence"),
    sa.Column("mime_type", sa.String(length=128), nullable=True),
    sa.Column("size", sa.BigInteger(), nullable=True),
    sa.Column("duration", sa.Integer(), nullable=True),
    sa.Column("fetch_status", sa.String(length=16), nullable=False, server_default="pending"),
    sa.Column("fetch_attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("fetch_error", sa.String(), nullable=True),
    sa.Column("sha256", sa.String(length=64), nullable=True),
    sa.Column("stored_path", sa.String(), nullable=True),
    sa.Column("stored_size", sa.BigInteger(), nullable=True),
    sa.Column("stored_at", storage.columns.UtcDateTime(), nullable=True),
)


def upgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        for column in COLUMNS:
            batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column.name)
