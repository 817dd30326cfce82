"""audit_log: logins and changes of users

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"


def upgrade():
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now(), index=True),
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("actor_kind", sa.Text, nullable=False),
        sa.Column("actor_id", sa.Text, index=True),
        sa.Column("actor_label", sa.Text, nullable=False),
        sa.Column("actor_role", sa.Text),
        sa.Column("changes", JSONB, nullable=False, server_default="{}"),
    )
    op.create_index("audit_log_entity", "audit_log", ["entity", "entity_id", "at"])


def downgrade():
    op.drop_table("audit_log")
