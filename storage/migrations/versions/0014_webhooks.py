"""Webhooks (storage/webhooks.py): integrators' subscriptions with their sealed signing secrets, and the
delivery log (one row per event and subscription: body, status, attempts, answers).

Revision ID: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner_key_id", sa.String(36), sa.ForeignKey("api_keys.id"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("hall", sa.String(64), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("events", sa.JSON, nullable=False),
        sa.Column("secret_sealed", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("deleted_at", TS),
    )
    op.create_index("ix_webhook_subscriptions_owner", "webhook_subscriptions", ["owner_key_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("subscription_id", sa.String(36), sa.ForeignKey("webhook_subscriptions.id"), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TS),
        sa.Column("lease_until", TS),
        sa.Column("last_status_code", sa.Integer),
        sa.Column("last_error", sa.String(500)),
        sa.Column("attempt_log", sa.JSON, nullable=False),
        sa.Column("redelivery_of", sa.String(36)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_attempt_at", TS),
        sa.Column("delivered_at", TS),
    )
    op.create_index("ix_webhook_deliveries_subscription", "webhook_deliveries", ["subscription_id", "created_at"])
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_subscription", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_webhook_subscriptions_owner", table_name="webhook_subscriptions")
    op.drop_table("webhook_subscriptions")
