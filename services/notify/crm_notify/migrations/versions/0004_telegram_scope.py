"""what a linked chat may see: its user's own deals, or everyone's (admins, heads of sales)

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade():
    op.add_column("telegram_link_codes", sa.Column("sees_all", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("telegram_links", sa.Column("sees_all", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade():
    op.drop_column("telegram_links", "sees_all")
    op.drop_column("telegram_link_codes", "sees_all")
