"""delivery of outbound messages per channel, from notify's events

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade():
    op.create_table(
        "message_deliveries",
        sa.Column("message_id", sa.BigInteger, primary_key=True),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("message_deliveries_first_at", "message_deliveries", ["first_at"])


def downgrade():
    op.drop_table("message_deliveries")
