"""users: version, archive, must change password; the audit log

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"


def upgrade():
    op.add_column("users", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.add_column("users", sa.Column("archived_at", sa.DateTime(timezone=True)))
    op.add_column("users", sa.Column("must_change_password", sa.Boolean, nullable=False,
                                     server_default=sa.false()))
    op.create_index("tokens_user_id", "tokens", ["user_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("actor_kind", sa.Text, nullable=False),
        sa.Column("actor_id", sa.BigInteger),
        sa.Column("actor_label", sa.Text, nullable=False),
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("changes", JSONB),
        sa.Column("source_ip", sa.Text),
        sa.CheckConstraint("actor_kind IN ('user', 'system')", name="audit_log_actor_kind"),
    )
    op.create_index("audit_log_entity", "audit_log", ["entity", "entity_id", "id"])


def downgrade():
    op.drop_table("audit_log")
    op.drop_index("tokens_user_id", "tokens")
    op.drop_column("users", "must_change_password")
    op.drop_column("users", "archived_at")
    op.drop_column("users", "version")
