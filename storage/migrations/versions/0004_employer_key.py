"""employer key

An indexed, normalised copy of each case's employer, so that a new case's hard-case check
counts the employer's open cases with the index instead of reading every open case.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 02:55:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 5000


def key(name: str) -> str:
    """``storage.models.employer_key`` as it stood at this revision (a migration is frozen)."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("employer_key", sa.String(), nullable=False, server_default="")
        )
    case = sa.table(
        "case", sa.column("id", sa.Integer), sa.column("employer"), sa.column("employer_key")
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(case.c.id, case.c.employer)).all()
    statement = (
        case.update().where(case.c.id == sa.bindparam("row")).values(employer_key=sa.bindparam("k"))
    )
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        connection.execute(statement, [{"row": i, "k": key(name)} for i, name in chunk])
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_employer_key"), ["employer_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_employer_key"))
        batch_op.drop_column("employer_key")
