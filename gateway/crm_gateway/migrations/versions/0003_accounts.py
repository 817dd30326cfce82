"""users: version, archive, must change password; tokens by user

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.add_column("users", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.add_column("users", sa.Column("archived_at", sa.DateTime(timezone=True)))
    op.add_column("users", sa.Column("must_change_password", sa.Boolean, nullable=False,
                                     server_default=sa.false()))
    op.create_index("tokens_user_id", "tokens", ["user_id"])


def downgrade():
    op.drop_index("tokens_user_id", "tokens")
    op.drop_column("users", "must_change_password")
    op.drop_column("users", "archived_at")
    op.drop_column("users", "version")
