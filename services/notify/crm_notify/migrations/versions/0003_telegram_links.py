"""the staff bot: linked chats and one-time link codes

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.create_table(
        "telegram_links",
        sa.Column("user_id", sa.BigInteger, primary_key=True),
        sa.Column("chat_id", sa.Text, nullable=False, unique=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "telegram_link_codes",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("user_id", sa.BigInteger, nullable=False, unique=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("telegram_link_codes")
    op.drop_table("telegram_links")
