"""lost group

Groups that removed the bot, flagged until it is added back, so the administrators are told
once per removal.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.columns

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lostgroup",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("since", storage.columns.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_lostgroup")),
    )


def downgrade() -> None:
    op.drop_table("lostgroup")
