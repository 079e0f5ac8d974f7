"""The embedded electronic-licence library (电子证照库): one row per licence; files live in the object store.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "licences",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("identifier", sa.String(120), unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("type_code", sa.String(64), nullable=False),
        sa.Column("number", sa.String(100)),
        sa.Column("version", sa.String(16)),
        sa.Column("issuer", sa.String(200)),
        sa.Column("issuer_code", sa.String(32)),
        sa.Column("issued_on", sa.Date),
        sa.Column("holder", sa.String(200)),
        sa.Column("holder_code", sa.String(64), nullable=False),
        sa.Column("holder_code_type", sa.String(8), nullable=False),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_until", sa.Date),
        sa.Column("region", sa.String(16)),
        sa.Column("related_items", sa.JSON, nullable=False),
        sa.Column("face", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source_status", sa.String(32)),
        sa.Column("trust_level", sa.String(1), nullable=False),
        sa.Column("file_key", sa.String(100)),
        sa.Column("file_kind", sa.String(8)),
        sa.Column("imported_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_licences_holder", "licences", ["holder_code", "holder_code_type", "type_code"])


def downgrade() -> None:
    op.drop_index("ix_licences_holder", table_name="licences")
    op.drop_table("licences")
