"""deals and tasks as reports knows them carry archived_at: archived ones leave the KPIs, forecast and
problem lists, and stay in funnels and history

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade():
    for table in ("deals", "tasks"):
        op.add_column(table, sa.Column("archived_at", sa.DateTime(timezone=True)))


def downgrade():
    for table in ("deals", "tasks"):
        op.drop_column(table, "archived_at")
