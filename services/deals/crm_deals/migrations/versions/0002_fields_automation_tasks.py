"""custom fields, stage gates, linked deals, history, automation rules with versions, tasks

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0002"
down_revision = "0001"


def upgrade():
    op.add_column("pipelines", sa.Column("client_type", sa.Text))
    op.create_index("pipelines_client_type", "pipelines", ["client_type"], unique=True,
                    postgresql_where=sa.text("client_type IS NOT NULL"))
    op.add_column("stages", sa.Column("required_fields", ARRAY(sa.Text), nullable=False, server_default="{}"))
    op.create_table(
        "pipeline_fields",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("pipeline_id", sa.BigInteger, sa.ForeignKey("pipelines.id"), nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("options", JSONB),
        sa.UniqueConstraint("pipeline_id", "code", name="pipeline_fields_code"),
    )
    op.add_column("deals", sa.Column("fields", JSONB, nullable=False, server_default="{}"))
    op.add_column("deals", sa.Column("responsible_id", sa.BigInteger))
    op.add_column("deals", sa.Column("company_id", sa.BigInteger))
    op.add_column("deals", sa.Column("lead_id", sa.BigInteger))
    op.add_column("deals", sa.Column("parent_deal_id", sa.BigInteger, sa.ForeignKey("deals.id")))
    op.add_column("deals", sa.Column("result", sa.Text))
    op.add_column("deals", sa.Column("closed_at", sa.DateTime(timezone=True)))
    op.add_column("deals", sa.Column("origin_stage_id", sa.BigInteger, sa.ForeignKey("stages.id")))
    op.create_index("deals_lead", "deals", ["lead_id"], unique=True, postgresql_where=sa.text("lead_id IS NOT NULL"))
    op.create_index("deals_parent", "deals", ["parent_deal_id"])
    op.create_index("deals_responsible", "deals", ["responsible_id", "closed_at"])
    op.create_table(
        "deal_history",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("deal_id", sa.BigInteger, sa.ForeignKey("deals.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.clock_timestamp()),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("details", JSONB, nullable=False, server_default="{}"),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("rule_id", sa.BigInteger),
        sa.Column("rule_version", sa.Integer),
    )
    op.create_index("deal_history_deal", "deal_history", ["deal_id", "id"])
    op.create_table(
        "automation_rules",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "automation_rule_versions",
        sa.Column("rule_id", sa.BigInteger, sa.ForeignKey("automation_rules.id"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("definition", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("deal_id", sa.BigInteger, sa.ForeignKey("deals.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("assignee_id", sa.BigInteger),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="open"),
        sa.Column("rule_id", sa.BigInteger),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("overdue_reported_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("status IN ('open', 'done', 'cancelled')", name="tasks_status"),
    )
    op.create_index("tasks_deal", "tasks", ["deal_id"])
    op.create_index("tasks_open_due", "tasks", ["due_at"], postgresql_where=sa.text("status = 'open'"))


def downgrade():
    op.drop_table("tasks")
    op.drop_table("automation_rule_versions")
    op.drop_table("automation_rules")
    op.drop_table("deal_history")
    for index in ("deals_responsible", "deals_parent", "deals_lead"):
        op.drop_index(index, "deals")
    for column in ("origin_stage_id", "closed_at", "result", "parent_deal_id", "lead_id", "company_id",
                   "responsible_id", "fields"):
        op.drop_column("deals", column)
    op.drop_table("pipeline_fields")
    op.drop_column("stages", "required_fields")
    op.drop_index("pipelines_client_type", "pipelines")
    op.drop_column("pipelines", "client_type")
