"""a crew's request to move its job, kept on the booking until the job is moved

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.add_column("bookings", sa.Column("reschedule_reason", sa.Text))
    op.add_column("bookings", sa.Column("reschedule_preferred_date", sa.Date))
    op.add_column("bookings", sa.Column("reschedule_requested_at", sa.DateTime(timezone=True)))
    op.add_column("bookings", sa.Column("reschedule_requested_by", sa.BigInteger))


def downgrade():
    for column in ("reschedule_requested_by", "reschedule_requested_at", "reschedule_preferred_date",
                   "reschedule_reason"):
        op.drop_column("bookings", column)
