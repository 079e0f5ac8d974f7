"""Leases of the pages of a fanned-out upload (workers/fanout.py): which page is waiting in the queue and which
one a worker is reading until when, so the sweeper sends again a page whose worker died.

Revision ID: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_leases",
        sa.Column("upload_id", sa.String(36), primary_key=True),  # no foreign key: rows go with their upload's end
        sa.Column("page", sa.Integer, primary_key=True),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reads", sa.Integer, nullable=False, server_default="0"),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_page_leases_lease_until", "page_leases", ["lease_until"])


def downgrade() -> None:
    op.drop_index("ix_page_leases_lease_until", table_name="page_leases")
    op.drop_table("page_leases")
