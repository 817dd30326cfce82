"""everyday records: contacts, companies and leads carry a version (+1 on every change, for
edits that name what they read) and archived_at (hidden from lists, kept for history);
companies get their INN and address

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
RECORDS = ("contacts", "companies", "leads")


def upgrade():
    for table in RECORDS:
        op.add_column(table, sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        op.add_column(table, sa.Column("archived_at", sa.DateTime(timezone=True)))
    op.add_column("companies", sa.Column("inn", sa.Text))
    op.add_column("companies", sa.Column("address", sa.Text))


def downgrade():
    op.drop_column("companies", "address")
    op.drop_column("companies", "inn")
    for table in RECORDS:
        op.drop_column(table, "archived_at")
        op.drop_column(table, "version")
