"""the leader who assigned a task to a person in the chat (`/assign`)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("task", sa.Column("assigned_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE task DROP COLUMN assigned_by")
