"""the task catalogue (the Ministry's Sổ tay: products per job position with points),
versioned by effective date; a person's job position; a task's product or its being free;
whether an organization allows free tasks; the plan file a task was assigned by

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain columns, added and dropped in place as in 0005 (no table copied); the existing
# organizations allow free tasks, and the existing tasks are not free ones.
COLUMNS = (
    (
        "organization",
        sa.Column("free_tasks", sa.Boolean(), nullable=False, server_default=sa.true()),
    ),
    ("person", sa.Column("job_position", sqlmodel.sql.sqltypes.AutoString(), nullable=True)),
    ("task", sa.Column("catalogue_item_id", sa.Integer(), nullable=True)),
    ("task", sa.Column("free", sa.Boolean(), nullable=False, server_default=sa.false())),
    ("task", sa.Column("imported_from", sqlmodel.sql.sqltypes.AutoString(), nullable=True)),
)


def upgrade() -> None:
    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organization_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False
        ),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("imported_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.UniqueConstraint("organization_id", "effective"),
    )
    op.create_index(
        "ix_catalogue_version_organization_id", "catalogue_version", ["organization_id"]
    )
    op.create_table(
        "catalogue_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "version_id", sa.Integer(), sa.ForeignKey("catalogue_version.id"), nullable=False
        ),
        sa.Column("job_position", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("factor", sa.Float(), nullable=False),
        sa.UniqueConstraint("version_id", "job_position", "code"),
    )
    op.create_index("ix_catalogue_item_version_id", "catalogue_item", ["version_id"])
    for table, column in COLUMNS:
        op.add_column(table, column)


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column.name}")
    op.drop_index("ix_catalogue_item_version_id", table_name="catalogue_item")
    op.drop_table("catalogue_item")
    op.drop_index("ix_catalogue_version_organization_id", table_name="catalogue_version")
    op.drop_table("catalogue_version")
