"""Document numbers (文号) of issued notices, per hall and year without gaps (storage/notice_numbers.py), and
the latest act each case bundle shows (a bundle per case version and act, storage/bundle/records.py).

Revision ID: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0002"
branch_labels = None
depends_on = ("0005",)  # adds a column to case_bundles


def upgrade() -> None:
    op.add_column("case_bundles", sa.Column("last_act", sa.String(32), nullable=True))
    op.create_table(
        "notice_numbers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("hall", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("hall", "year", "seq", name="uq_notice_numbers_seq"),
        sa.UniqueConstraint("case_id", "kind", "event_id", name="uq_notice_numbers_notice"),
    )


def downgrade() -> None:
    op.drop_table("notice_numbers")
    with op.batch_alter_table("case_bundles") as batch:
        batch.drop_column("last_act")
