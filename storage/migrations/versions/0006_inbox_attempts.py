"""inbox attempts

How many times handling each inbox event has failed for a reason of its own (not the
database being away), so that an event no try can handle is set aside after a bounded number
of tries — across restarts — instead of holding its chat for ever.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 18:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inboxevent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("inboxevent", schema=None) as batch_op:
        batch_op.drop_column("attempts")
