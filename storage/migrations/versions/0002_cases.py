"""Cases and their versioned assessments; uploads looked up by case.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner_key_id", sa.String(36), sa.ForeignKey("api_keys.id"), nullable=False),
        sa.Column("hall", sa.String(64), nullable=False),
        sa.Column("item_code", sa.String(100), nullable=False),
        sa.Column("item_version", sa.Integer, nullable=False),
        sa.Column("item", sa.JSON, nullable=False),
        sa.Column("situation", sa.String(64), nullable=False),
        sa.Column("applicant", sa.JSON, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("decision", sa.String(32)),
        sa.Column("assessed_at", TS),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_cases_owner", "cases", ["owner_key_id"])
    op.create_index("ix_cases_hall", "cases", ["hall"])
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("item_version", sa.Integer, nullable=False),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("case_id", "version", name="uq_assessments_case_version"),
    )
    op.create_index("ix_uploads_case", "uploads", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_uploads_case", table_name="uploads")
    op.drop_table("assessments")
    op.drop_table("cases")
