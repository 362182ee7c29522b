"""Open items: what a conversation left open — a promise by the salesperson, a question the
customer could not answer or deferred, a need raised and not taken up, a hypothesis never
confirmed — with the words each was read from, open until a later conversation of the
account takes it up or someone closes it.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "open_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("conversation_id", sa.Integer, sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("speaker", sa.String(20), nullable=False, server_default=""),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("words", sa.Text, nullable=False, server_default=""),
        sa.Column("context", sa.Text, nullable=False, server_default=""),
        sa.Column("author", sa.String(80), nullable=False, server_default=""),
        sa.Column("status", sa.String(10), nullable=False, server_default="open"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(80), nullable=False, server_default=""),
        sa.Column("closed_in", sa.Integer, sa.ForeignKey("conversations.id"), nullable=True),
        sa.Column("closed_turn", sa.Integer, nullable=True),
        sa.Column("close_note", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("conversation_id", "turn", "kind", name="uq_open_items_turn_kind"),
    )
    op.create_index("ix_open_items_account_status", "open_items", ["account_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_open_items_account_status", "open_items")
    op.drop_table("open_items")
