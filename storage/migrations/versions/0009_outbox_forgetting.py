"""outbox forgetting

A message can be marked to be forgotten once delivered (a worker's contact sent to staff, an
uploaded file), and a message's payload records when it was forgotten, so the retention sweep
passes over each row once; the rows not yet forgotten are indexed, since only they are ever
searched (an anonymised case's messages are found among them).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage") as batch:
        batch.add_column(
            sa.Column("forget_on_delivery", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("forgotten_at", storage.columns.UtcDateTime(), nullable=True))
    op.create_index(
        "ix_outboxmessage_unforgotten",
        "outboxmessage",
        ["id"],
        postgresql_where=sa.text("forgotten_at IS NULL"),
        sqlite_where=sa.text("forgotten_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_outboxmessage_unforgotten", table_name="outboxmessage")
    with op.batch_alter_table("outboxmessage") as batch:
        batch.drop_column("forgotten_at")
        batch.drop_column("forget_on_delivery")
