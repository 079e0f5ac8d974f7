"""Indexes for the paged lists (api/paging.py): cases and uploads walked by (time, id), the audit trail by target
(GET /api/v1/audit?case_id=, the counter's open case: api/counters.py) and by actor.

Revision ID: 0017
"""

from alembic import op

revision = "0017"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_created", "cases", ["created_at", "id"])
    op.create_index("ix_uploads_received", "uploads", ["received_at", "id"])
    op.create_index("ix_audit_target", "audit_events", ["target_type", "target_id", "id"])
    op.create_index("ix_audit_actor", "audit_events", ["actor", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_actor", "audit_events")
    op.drop_index("ix_audit_target", "audit_events")
    op.drop_index("ix_uploads_received", "uploads")
    op.drop_index("ix_cases_created", "cases")
