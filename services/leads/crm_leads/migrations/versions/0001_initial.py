"""contacts, leads and the chassis plumbing

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

from crm_chassis.tables import create_plumbing_tables, drop_plumbing_tables

revision = "0001"
down_revision = None


def upgrade():
    create_plumbing_tables(op)
    op.create_table(
        "contacts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("phone", sa.Text),
        sa.Column("email", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("contacts_phone", "contacts", ["phone"], unique=True,
                    postgresql_where=sa.text("phone IS NOT NULL"))
    op.create_index("contacts_email", "contacts", ["email"], unique=True,
                    postgresql_where=sa.text("email IS NOT NULL"))
    op.create_table(
        "leads",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("contact_id", sa.BigInteger, sa.ForeignKey("contacts.id"), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("stage", sa.Text, nullable=False, server_default="new"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("source", "external_id", name="leads_source_external_id"),
    )


def downgrade():
    op.drop_table("leads")
    op.drop_table("contacts")
    drop_plumbing_tables(op)
