"""The case lifecycle: case number, query code, agent and outcome on cases; transitions, people's acts,
per-hall case-number counters, superseded uploads.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("case_number", sa.String(100)))
        batch.add_column(sa.Column("query_code", sa.String(16)))
        batch.add_column(sa.Column("agent", sa.JSON))
        batch.add_column(sa.Column("outcome", sa.String(16)))
        batch.create_unique_constraint("uq_cases_case_number", ["case_number"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(36), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("actor_label", sa.String(200), nullable=False),
        sa.Column("act", sa.String(32), nullable=False),
        sa.Column("from_state", sa.String(24), nullable=False),
        sa.Column("to_state", sa.String(24), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("recommendation", sa.String(32)),
        sa.Column("overridden", sa.Boolean, nullable=False),
        sa.Column("assessment_version", sa.Integer),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_case_events_case", "case_events", ["case_id", "id"])
    op.create_table(
        "case_acts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(36), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("document_id", sa.String(64)),
        sa.Column("field", sa.String(64)),
        sa.Column("finding", sa.String(64)),
        sa.Column("material", sa.String(64)),
        sa.Column("action", sa.String(16)),
        sa.Column("machine_value", sa.JSON),
        sa.Column("person_value", sa.JSON),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_case_acts_case", "case_acts", ["case_id", "id"])
    op.create_table(
        "case_numbers",
        sa.Column("hall", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "case_superseded_uploads",
        sa.Column("upload_id", sa.String(36), sa.ForeignKey("uploads.id"), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("material", sa.String(64), nullable=False),
        sa.Column("superseded_by", sa.String(36), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_case_superseded_case", "case_superseded_uploads", ["case_id"])


def downgrade() -> None:
    op.drop_table("case_superseded_uploads")
    op.drop_table("case_numbers")
    op.drop_index("ix_case_acts_case", table_name="case_acts")
    op.drop_table("case_acts")
    op.drop_index("ix_case_events_case", table_name="case_events")
    op.drop_table("case_events")
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("uq_cases_case_number", type_="unique")
        batch.drop_column("outcome")
        batch.drop_column("agent")
        batch.drop_column("query_code")
        batch.drop_column("case_number")
