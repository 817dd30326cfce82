"""bookings carry a version (+1 on every change) and the client's comment for the crew

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade():
    op.add_column("bookings", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.add_column("bookings", sa.Column("comment", sa.Text))


def downgrade():
    op.drop_column("bookings", "comment")
    op.drop_column("bookings", "version")
