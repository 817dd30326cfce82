"""crews, bookings that can never overlap, and the chassis plumbing

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

from crm_chassis.tables import create_plumbing_tables, drop_plumbing_tables

revision = "0001"
down_revision = None


def upgrade():
    create_plumbing_tables(op)
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "crews",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("skill", sa.Text, nullable=False),
        sa.Column("leader_name", sa.Text, nullable=False),
        sa.Column("leader_phone", sa.Text, nullable=False),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("crew_id", sa.BigInteger, sa.ForeignKey("crews.id"), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deal_id", sa.BigInteger),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="booked"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("starts_at < ends_at", name="bookings_positive_duration"),
    )
    op.execute(
        "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist "
        "(crew_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status = 'booked')"
    )


def downgrade():
    op.drop_table("bookings")
    op.drop_table("crews")
    drop_plumbing_tables(op)
