"""Results of the pages of an upload read apart by page tasks (workers/fanout.py), kept until the upload's
documents are saved.

Revision ID: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "upload_pages",
        sa.Column("upload_id", sa.String(36), primary_key=True),  # no foreign key: rows go with their upload's end
        sa.Column("page", sa.Integer, primary_key=True),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("upload_pages")
