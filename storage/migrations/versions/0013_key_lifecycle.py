"""Keys as a product (storage/keys.py): expiry, last use, scopes that narrow the role, the halls an integrator
key reads, and the previous secret of a rotated key with the end of its overlap.

Revision ID: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
COLUMNS = (
    ("expires_at", TS),
    ("last_used_at", TS),
    ("scopes", sa.JSON),  # NULL: the role's full rights (every key issued before 0013)
    ("halls", sa.JSON),  # NULL: no bound halls
    ("previous_key_hash", sa.String(64)),
    ("previous_valid_until", TS),
)


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
