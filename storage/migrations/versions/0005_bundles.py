"""Case bundles: one signed PDF per case version, every one kept (the bytes live in the object store).

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_bundles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("case_version", sa.Integer, nullable=False),
        sa.Column("assessment_version", sa.Integer),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("object_key", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("signer", sa.String(300), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("case_id", "case_version", "fingerprint", name="uq_case_bundles_content"),
    )
    op.create_index("ix_case_bundles_case", "case_bundles", ["case_id", "case_version"])


def downgrade() -> None:
    op.drop_index("ix_case_bundles_case", table_name="case_bundles")
    op.drop_table("case_bundles")
