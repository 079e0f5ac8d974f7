"""Applicants who register themselves (storage/applicants.py): the one-time codes that prove a phone number or
e-mail address. Applicants' accounts are rows of `accounts` (0011) with the role `applicant`.

Revision ID: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0002"
branch_labels = None
depends_on = ("0011",)

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "applicant_codes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("contact_hash", sa.String(64), nullable=False),
        sa.Column("client_hash", sa.String(64), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("used_at", TS),
    )
    op.create_index("ix_applicant_codes_contact_hash", "applicant_codes", ["contact_hash"])
    op.create_index("ix_applicant_codes_client_hash", "applicant_codes", ["client_hash"])


def downgrade() -> None:
    op.drop_index("ix_applicant_codes_client_hash", table_name="applicant_codes")
    op.drop_index("ix_applicant_codes_contact_hash", table_name="applicant_codes")
    op.drop_table("applicant_codes")
