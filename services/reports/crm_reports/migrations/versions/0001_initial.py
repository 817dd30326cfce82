"""event store, leads by day and the chassis plumbing

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from crm_chassis.tables import create_plumbing_tables, drop_plumbing_tables

revision = "0001"
down_revision = None


def upgrade():
    create_plumbing_tables(op)
    op.create_table(
        "event_store",
        sa.Column("position", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("envelope", JSONB, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "leads_by_day",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("source", sa.Text, primary_key=True),
        sa.Column("leads", sa.Integer, nullable=False),
    )


def downgrade():
    op.drop_table("leads_by_day")
    op.drop_table("event_store")
    drop_plumbing_tables(op)
