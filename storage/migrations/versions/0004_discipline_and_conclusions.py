"""discipline decisions and conclusions: what makes a level D regardless of the score
(NĐ 335 Điều 20 khoản 4), as the organization's office records it

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 02:39:16.915785
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _recorded() -> list[sa.Column]:
    """Who recorded an entry and when; who removed it as a mistake and when."""
    return [
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("removed_by", sa.Integer(), nullable=True),
        sa.Column("removed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["recorded_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["removed_by"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    ]


def upgrade() -> None:
    op.create_table(
        "conclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        *_recorded(),
    )
    with op.batch_alter_table("conclusion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conclusion_person_id"), ["person_id"], unique=False)

    op.create_table(
        "discipline_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("form", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("violation", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("public_duty", sa.Boolean(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        *_recorded(),
    )
    with op.batch_alter_table("discipline_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_discipline_decision_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    # The entries go with their tables; the audit log keeps what was recorded.
    with op.batch_alter_table("discipline_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discipline_decision_person_id"))
    op.drop_table("discipline_decision")
    with op.batch_alter_table("conclusion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conclusion_person_id"))
    op.drop_table("conclusion")
