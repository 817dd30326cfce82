"""who is responsible for each contact's deal: the deal's responsible sees its client (a participant)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade():
    op.add_column("contact_deals", sa.Column("responsible_id", sa.BigInteger))
    op.create_index("contact_deals_responsible_id", "contact_deals", ["responsible_id"])


def downgrade():
    op.drop_index("contact_deals_responsible_id", "contact_deals")
    op.drop_column("contact_deals", "responsible_id")
