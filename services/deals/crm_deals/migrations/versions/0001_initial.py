"""pipelines, stages, deals and the chassis plumbing

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
        "pipelines",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("code", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
    )
    op.create_table(
        "stages",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("pipeline_id", sa.BigInteger, sa.ForeignKey("pipelines.id"), nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.UniqueConstraint("pipeline_id", "code", name="stages_pipeline_code"),
        sa.CheckConstraint("kind IN ('open', 'won', 'lost')", name="stages_kind"),
    )
    op.create_table(
        "deals",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("pipeline_id", sa.BigInteger, sa.ForeignKey("pipelines.id"), nullable=False),
        sa.Column("stage_id", sa.BigInteger, sa.ForeignKey("stages.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("contact_id", sa.BigInteger),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("deals")
    op.drop_table("stages")
    op.drop_table("pipelines")
    drop_plumbing_tables(op)
