"""rules version 2: leaders' đ and e in a review, rulesets by person category, the basis
of each result

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 03:14:41.397086
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain columns, added and dropped in place (SQLite 3.35+ drops a column itself): copying
# the organization table, which the others refer to, would break their foreign keys.
COLUMNS = (
    ("organization", sa.Column("category_rulesets", sa.JSON(), nullable=True)),
    ("result", sa.Column("ruleset", sqlmodel.sql.sqltypes.AutoString(), nullable=True)),
    ("review", sa.Column("organising", sa.Float(), nullable=True)),
    ("review", sa.Column("cohesion", sa.Float(), nullable=True)),
)


def upgrade() -> None:
    for table, column in COLUMNS:
        op.add_column(table, column)
    op.execute("UPDATE organization SET category_rulesets = '{}'")
    # Results stored before were computed by version 1's "default" ruleset: they stay as
    # they were computed, and say so.
    op.execute("UPDATE result SET ruleset = 'default (v1)' WHERE level IS NOT NULL")


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column.name}")
