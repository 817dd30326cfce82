"""notifications and the chassis plumbing

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

from crm_chassis.tables import create_plumbing_tables, drop_plumbing_tables

revision = "0001"
down_revision = None


def upgrade():
    create_plumbing_tables(op)
    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("idempotency_key", sa.Text, nullable=False, unique=True),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("template", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("notifications_recipient", "notifications", ["recipient", "id"])


def downgrade():
    op.drop_table("notifications")
    drop_plumbing_tables(op)
