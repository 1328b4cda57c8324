"""inbox user budget

Each inbox row names the user who sent it, indexed with its time, so that a user's updates of
the last minute can be counted (past the budget they are stored as ``throttled``). Rows from
before this revision have no user; they are older than a minute anyway.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inboxevent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_inboxevent_user_recent", ["user_id", "received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inboxevent", schema=None) as batch_op:
        batch_op.drop_index("ix_inboxevent_user_recent")
        batch_op.drop_column("user_id")
