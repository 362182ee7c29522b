"""Role-play attempts with their scorecards.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roleplay_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id"), nullable=False, unique=True),
        sa.Column("scenario_id", sa.String(100), nullable=False),
        sa.Column("trainee", sa.String(80), nullable=False, server_default=""),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("uncovered", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("scorecard", sa.JSON, nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_roleplay_attempts_trainee", "roleplay_attempts", ["trainee"])


def downgrade() -> None:
    op.drop_table("roleplay_attempts")
