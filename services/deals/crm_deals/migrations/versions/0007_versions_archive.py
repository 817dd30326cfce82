"""everyday records: deals, tasks and stages carry a version (+1 on every change) and archived_at

Revises 0004 here; when another branch's 0005/0006 are in, this one goes after them.

Revision ID: 0007
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"

TABLES = ("deals", "tasks", "stages")


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        op.add_column(table, sa.Column("archived_at", sa.DateTime(timezone=True)))


def downgrade():
    for table in TABLES:
        op.drop_column(table, "archived_at")
        op.drop_column(table, "version")
