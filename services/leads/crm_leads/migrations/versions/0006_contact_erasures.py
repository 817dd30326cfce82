"""erasures of contacts' personal data on request (152-FZ, GDPR): when, why and by whom

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


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
