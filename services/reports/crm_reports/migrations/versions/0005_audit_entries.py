"""the audit trail: one entry per event of every producer

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision = "0005"
down_revision = "0004"


def upgrade():
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("entity_id", sa.Text),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("subjects", ARRAY(sa.Text), nullable=False),
        sa.Column("actor_kind", sa.Text),
        sa.Column("actor_id", sa.Text, index=True),
        sa.Column("actor_label", sa.Text),
        sa.Column("actor_role", sa.Text),
        sa.Column("rule_id", sa.BigInteger),
        sa.Column("rule_version", sa.Integer),
        sa.Column("changes", JSONB, nullable=False),
    )
    op.create_index("audit_entries_subjects", "audit_entries", ["subjects"], postgresql_using="gin")


def downgrade():
    op.drop_table("audit_entries")
