"""sender heartbeat

The heartbeat row of a running outbox sender is a ``senderheartbeat``, so that ``Sender``
names one thing: the sender itself (``bot.sender``). The table and its primary key are
renamed; the rows (live senders' heartbeats) stay.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 02:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _rename("sender", "senderheartbeat")


def downgrade() -> None:
    _rename("senderheartbeat", "sender")


def _rename(old: str, new: str) -> None:
    """Rename the table and its primary key ``pk_<table>`` (the naming convention's)."""
    op.rename_table(old, new)
    if op.get_bind().dialect.name == "sqlite":
        # SQLite keeps the constraint's name in the table's definition: rebuild the table.
        with op.batch_alter_table(new, recreate="always") as batch:
            batch.drop_constraint(f"pk_{old}", type_="primary")
            batch.create_primary_key(f"pk_{new}", ["id"])
    else:
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT pk_{old} TO pk_{new}")
