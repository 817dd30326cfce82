"""the inbox reads the whole communications log newest first, and one category's tab the same way;
its counts per category over a window are read from the index alone (INCLUDE), not from the table

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade():
    op.execute("CREATE INDEX communications_time ON communications (occurred_at DESC, id DESC)"
               " INCLUDE (direction, channel, category)")
    op.execute("CREATE INDEX communications_category_time ON communications (category, occurred_at DESC, id DESC)")


def downgrade():
    op.drop_index("communications_category_time", "communications")
    op.drop_index("communications_time", "communications")
