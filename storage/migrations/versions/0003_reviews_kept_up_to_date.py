"""reviews kept up to date: one review per submission and stage, with the reviewer's
notes on lowered criteria, the ranking of ties and the time of the decision

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 00:43:52.021525
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reviews were appended, one row per decision: keep the newest of each submission and
    # stage (it holds the decision in force); the audit log keeps the history.
    op.execute(
        "DELETE FROM review WHERE id NOT IN "
        "(SELECT MAX(id) FROM review GROUP BY assessment_id, stage)"
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notes", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("rank", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.alter_column("decision", existing_type=sa.VARCHAR(), nullable=True)
        batch_op.create_unique_constraint("uq_review_stage", ["assessment_id", "stage"])
    op.execute("UPDATE review SET decided_at = created_at, notes = '{}'")


def downgrade() -> None:
    op.execute("DELETE FROM review WHERE decision IS NULL")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_constraint("uq_review_stage", type_="unique")
        batch_op.alter_column("decision", existing_type=sa.VARCHAR(), nullable=False)
        batch_op.drop_column("decided_at")
        batch_op.drop_column("rank")
        batch_op.drop_column("notes")
