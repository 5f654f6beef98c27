"""tasks reported as beyond the person's ability and tasks taken over from a colleague
(NĐ 335 Điều 18: extra tasks, outside the base)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain columns added and dropped in place, as in 0005.
COLUMNS = (
    sa.Column("reported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column("report", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column("source_task_id", sa.Integer(), nullable=True),
)


OLD_KINDS = sa.Enum("PLANNED", "AD_HOC", name="taskkind")
NEW_KINDS = sa.Enum("PLANNED", "AD_HOC", "TAKEN_OVER", name="taskkind")


def _sqlite_kinds(before: sa.Enum, after: sa.Enum) -> None:
    """SQLite holds the enum as a VARCHAR as long as its longest name: widen or narrow it
    (batch mode copies the table; the task ids, which the answers refer to, stay)."""
    with op.batch_alter_table("task") as batch:
        batch.alter_column("kind", existing_type=before, type_=after, existing_nullable=False)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE taskkind ADD VALUE IF NOT EXISTS 'TAKEN_OVER'")
    else:
        _sqlite_kinds(OLD_KINDS, NEW_KINDS)
    for column in COLUMNS:
        op.add_column("task", column)


def downgrade() -> None:
    # A taken-over task was outside the person's base, as an ad-hoc task is: it stays
    # one, so no task and no answer about it is lost. (PostgreSQL keeps the unused value:
    # an enum type cannot drop one.)
    op.execute("UPDATE task SET kind = 'AD_HOC' WHERE kind = 'TAKEN_OVER'")
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE task DROP COLUMN {column.name}")
    if op.get_bind().dialect.name != "postgresql":
        _sqlite_kinds(NEW_KINDS, OLD_KINDS)
