"""the open deals of each contact, learnt from deals' events, to link calls and messages to them

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.create_table(
        "contact_deals",
        sa.Column("deal_id", sa.BigInteger, primary_key=True),
        sa.Column("contact_id", sa.BigInteger, nullable=False),
        sa.Column("open", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("contact_deals_open", "contact_deals", ["contact_id", "deal_id"],
                    postgresql_where=sa.text("open"))


def downgrade():
    op.drop_table("contact_deals")
