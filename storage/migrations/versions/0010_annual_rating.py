"""the annual rating: the year's round, each person's rating, period scores from a
previous agency

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 11:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "year_round",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organization_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("opens_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("confirm_by", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("head_review_by", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("director_review_by", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("publish_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("run", sa.JSON(), nullable=True),
        sa.UniqueConstraint("organization_id", "year"),
    )
    op.create_index("ix_year_round_organization_id", "year_round", ["organization_id"])
    op.create_table(
        "year_rating",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("year_round.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("periods", sa.JSON(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("breakdown", sa.JSON(), nullable=True),
        sa.Column("computed_level", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("ruleset", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("self_level", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("head_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("head_decision", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("head_level", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("head_comment", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("head_decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("director_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("director_decision", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("director_level", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("director_comment", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("director_decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.UniqueConstraint("round_id", "person_id"),
    )
    op.create_index("ix_year_rating_round_id", "year_rating", ["round_id"])
    op.create_index("ix_year_rating_person_id", "year_rating", ["person_id"])
    op.create_table(
        "external_score",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("period_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("agency", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("document", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("person_id", "period_code"),
    )
    op.create_index("ix_external_score_person_id", "external_score", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_external_score_person_id", table_name="external_score")
    op.drop_table("external_score")
    op.drop_index("ix_year_rating_person_id", table_name="year_rating")
    op.drop_index("ix_year_rating_round_id", table_name="year_rating")
    op.drop_table("year_rating")
    op.drop_index("ix_year_round_organization_id", table_name="year_round")
    op.drop_table("year_round")
