"""Sign-in attempts: the record that throttling, lockout and the managers' unlock read.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("client", sa.String(100), nullable=False, server_default=""),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sign_in_attempts_username_at", "sign_in_attempts", ["username", "at"])
    op.create_index("ix_sign_in_attempts_client_at", "sign_in_attempts", ["client", "at"])


def downgrade() -> None:
    op.drop_table("sign_in_attempts")
