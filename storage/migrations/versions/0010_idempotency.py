"""Idempotent POSTs (one row per caller and Idempotency-Key, holding the first answer) and the request id on
audit rows.

Revision ID: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("owner", sa.String(36), nullable=False),  # the caller's api key row id
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),  # method, path and body
        sa.Column("state", sa.String(16), nullable=False),  # running | done
        sa.Column("status", sa.Integer),
        sa.Column("content_type", sa.String(100)),
        sa.Column("body", sa.LargeBinary),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("owner", "key", name="uq_idempotency_owner_key"),
    )
    op.create_index("ix_idempotency_created", "idempotency_keys", ["created_at"])
    op.add_column("audit_events", sa.Column("request_id", sa.String(128)))


def downgrade() -> None:
    op.drop_column("audit_events", "request_id")
    op.drop_index("ix_idempotency_created", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
