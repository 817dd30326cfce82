"""time in stage, timed rule firings, approvals and comments

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0003"
down_revision = "0002"


def upgrade():
    op.add_column("deals", sa.Column("stage_entered_at", sa.DateTime(timezone=True), nullable=False,
                                     server_default=sa.func.now()))
    op.create_table(
        "timed_firings",
        sa.Column("rule_id", sa.BigInteger, primary_key=True),
        sa.Column("deal_id", sa.BigInteger, primary_key=True),
        sa.Column("marker", sa.Text, primary_key=True),  # the stage entry or the date value it fired for
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("deal_id", sa.BigInteger, sa.ForeignKey("deals.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("approver_id", sa.BigInteger, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("comment", sa.Text),
        sa.Column("rule_id", sa.BigInteger),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="approvals_status"),
    )
    op.create_index("approvals_deal", "approvals", ["deal_id"])
    op.create_table(
        "deal_comments",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("deal_id", sa.BigInteger, sa.ForeignKey("deals.id"), nullable=False),
        sa.Column("author_id", sa.BigInteger),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("mentioned_user_ids", ARRAY(sa.BigInteger), nullable=False, server_default="{}"),
        sa.Column("is_question", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("deal_comments_deal", "deal_comments", ["deal_id", "id"])


def downgrade():
    op.drop_table("deal_comments")
    op.drop_table("approvals")
    op.drop_table("timed_firings")
    op.drop_column("deals", "stage_entered_at")
