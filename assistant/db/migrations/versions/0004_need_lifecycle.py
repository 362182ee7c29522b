"""Need lifecycle and account memory: each need's state with dated transitions, the knowledge
entries it was reasoned from, an account's trade, stored sentence vectors, and indexes for account views and briefs.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("needs") as batch:
        batch.add_column(sa.Column("lifecycle", sa.String(20), nullable=False, server_default="hypothesis"))
        batch.add_column(sa.Column("stage_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("knowledge_refs", sa.JSON, nullable=True))
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("trade", sa.String(100), nullable=False, server_default=""))
    # existing needs start where their status says they are
    op.execute("UPDATE needs SET lifecycle = 'confirmed' WHERE status = 'confirmed'")
    op.execute("UPDATE needs SET lifecycle = 'in_solution' WHERE status = 'addressed'")
    op.execute("UPDATE needs SET stage_since = updated_at")
    op.create_table(
        "need_transitions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("need_id", sa.String(36), sa.ForeignKey("needs.id"), nullable=False),
        sa.Column("from_state", sa.String(20), nullable=False, server_default=""),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("actor", sa.String(80), nullable=False, server_default=""),
        sa.Column("via", sa.String(20), nullable=False, server_default="manual"),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_need_transitions_need_id", "need_transitions", ["need_id"])
    op.create_table(
        "sentence_vectors",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_needs_account_created", "needs", ["account_id", "created_at"])
    op.create_index("ix_needs_author_account", "needs", ["author", "account_id"])
    op.create_index("ix_needs_lifecycle_since", "needs", ["lifecycle", "stage_since"])
    op.create_index("ix_conversations_account", "conversations", ["account_id", "updated_at"])
    op.create_index("ix_accounts_trade", "accounts", ["trade"])


def downgrade() -> None:
    op.drop_index("ix_accounts_trade", "accounts")
    op.drop_index("ix_conversations_account", "conversations")
    op.drop_index("ix_needs_lifecycle_since", "needs")
    op.drop_index("ix_needs_author_account", "needs")
    op.drop_index("ix_needs_account_created", "needs")
    op.drop_table("sentence_vectors")
    op.drop_table("need_transitions")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("trade")
    with op.batch_alter_table("needs") as batch:
        batch.drop_column("knowledge_refs")
        batch.drop_column("stage_since")
        batch.drop_column("lifecycle")
