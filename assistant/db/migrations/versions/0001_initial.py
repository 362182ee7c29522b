"""Initial need log: users, accounts, conversations, turns, needs, need edits.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("display_name", sa.String(120), nullable=False, server_default=""),
        sa.Column("role", sa.String(20), nullable=False, server_default="sales"),
        sa.Column("password_hash", sa.String(255), nullable=False, server_default=""),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("segment", sa.String(10), nullable=False, server_default=""),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False, server_default="coach"),
        sa.Column("mode", sa.String(20), nullable=False, server_default="live"),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("author", sa.String(80), nullable=False, server_default=""),
        sa.Column("title", sa.String(200), nullable=False, server_default=""),
        sa.Column("language", sa.String(5), nullable=False, server_default="zh"),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("scenario_id", sa.String(100), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "turns",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("extraction", sa.String(10), nullable=False, server_default="none"),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("conversation_id", "idx"),
    )
    op.create_index("ix_turns_conversation_id", "turns", ["conversation_id"])
    op.create_table(
        "needs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id"), nullable=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("key", sa.String(200), nullable=False, server_default=""),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("dimension", sa.String(20), nullable=False),
        sa.Column("owner", sa.String(30), nullable=False),
        sa.Column("motive", sa.Text, nullable=False, server_default=""),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="hypothesis"),
        sa.Column("confidence", sa.Float, nullable=False, server_default="0.5"),
        sa.Column("ltc_stage", sa.String(20), nullable=False, server_default="lead"),
        sa.Column("source", sa.String(20), nullable=False, server_default="live"),
        sa.Column("review_state", sa.String(20), nullable=False, server_default="ai_suggested"),
        sa.Column("author", sa.String(80), nullable=False, server_default=""),
        sa.Column("rejected", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_needs_conversation_id", "needs", ["conversation_id"])
    op.create_index("ix_needs_key", "needs", ["key"])
    op.create_table(
        "need_edits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("need_id", sa.String(36), sa.ForeignKey("needs.id"), nullable=False),
        sa.Column("editor", sa.String(80), nullable=False, server_default=""),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("old_value", sa.Text, nullable=False, server_default=""),
        sa.Column("new_value", sa.Text, nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_need_edits_need_id", "need_edits", ["need_id"])


def downgrade() -> None:
    for table in ("need_edits", "needs", "turns", "conversations", "accounts", "users"):
        op.drop_table(table)
