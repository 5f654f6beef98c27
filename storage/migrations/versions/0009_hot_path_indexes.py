"""indexes of the hot paths: a reported task's taken-over copy, found by its source

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 07:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the plan and the review show, for each reported task, whom it was handed over to
    op.create_index("ix_task_source_task_id", "task", ["source_task_id"])


def downgrade() -> None:
    op.drop_index("ix_task_source_task_id", table_name="task")
