"""People's accounts for the pages (storage/accounts.py): accounts bound to a hall with role and clerk number,
argon2 password hashes and lockout; server-side web sessions with their CSRF token.

Revision ID: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("hall", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("clerk_number", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("key_row_id", sa.String(36), sa.ForeignKey("api_keys.id"), nullable=False),
        sa.Column("failed_count", sa.Integer, nullable=False),
        sa.Column("locked_until", TS),
        sa.Column("disabled_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("password_changed_at", TS, nullable=False),
        sa.Column("external_subject", sa.String(200)),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("ended_at", TS),
    )
    op.create_index("ix_web_sessions_account", "web_sessions", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_account", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("accounts")
