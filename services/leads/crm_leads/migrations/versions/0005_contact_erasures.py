"""erasures of contacts' personal data on request (152-FZ, GDPR): when, why and by whom

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade():
    op.create_table(
        "contact_erasures",
        sa.Column("contact_id", sa.BigInteger, sa.ForeignKey("contacts.id"), primary_key=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("reason", sa.Text),
        sa.Column("erased_by", sa.BigInteger),
    )


def downgrade():
    op.drop_table("contact_erasures")
