"""several messengers per person: the one used last, a person's choice, numbered menus

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("person", sa.Column("messenger", sqlmodel.sql.sqltypes.AutoString()))
    op.add_column("identity", sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime()))
    op.create_table(
        "chat_menu",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("options", sa.JSON()),
        sa.Column("shown_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("platform", "chat_id"),
    )


def downgrade() -> None:
    # what is dropped is a preference and the menus on screen: no answer, no result
    op.drop_table("chat_menu")
    op.execute("ALTER TABLE identity DROP COLUMN last_seen_at")
    op.execute("ALTER TABLE person DROP COLUMN messenger")
