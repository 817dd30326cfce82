"""The deals database as the code queries it (migrations/ say how it came to be)."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = sa.MetaData()

pipelines = sa.Table(
    "pipelines", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("client_type", sa.Text),  # converted leads of this type open their deal here
)

stages = sa.Table(
    "stages", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("pipeline_id", sa.BigInteger, sa.ForeignKey("pipelines.id"), nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("required_fields", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("required_documents", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("archived_at", sa.DateTime(timezone=True)),
)

pipeline_fields = sa.Table(
    "pipeline_fields", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("pipeline_id", sa.BigInteger, sa.ForeignKey("pipelines.id"), nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("options", JSONB),
)

deals = sa.Table(
    "deals", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("pipeline_id", sa.BigInteger, sa.ForeignKey("pipelines.id"), nullable=False),
    sa.Column("stage_id", sa.BigInteger, sa.ForeignKey("stages.id"), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("contact_id", sa.BigInteger),
    sa.Column("company_id", sa.BigInteger),
    sa.Column("lead_id", sa.BigInteger),
    sa.Column("amount", sa.Numeric(14, 2), nullable=False),
    sa.Column("fields", JSONB, nullable=False, server_default="{}"),
    sa.Column("responsible_id", sa.BigInteger),
    sa.Column("parent_deal_id", sa.BigInteger, sa.ForeignKey("deals.id")),
    sa.Column("result", sa.Text),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("origin_stage_id", sa.BigInteger, sa.ForeignKey("stages.id")),  # where return_to_origin goes
    sa.Column("stage_entered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("archived_at", sa.DateTime(timezone=True)),
)

deal_history = sa.Table(
    "deal_history", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("deal_id", sa.BigInteger, sa.ForeignKey("deals.id"), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.clock_timestamp()),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("details", JSONB, nullable=False, server_default="{}"),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("rule_id", sa.BigInteger),
    sa.Column("rule_version", sa.Integer),
)

automation_rules = sa.Table(
    "automation_rules", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

automation_rule_versions = sa.Table(
    "automation_rule_versions", metadata,
    sa.Column("rule_id", sa.BigInteger, sa.ForeignKey("automation_rules.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("definition", JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

tasks = sa.Table(
    "tasks", metadata,
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
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("archived_at", sa.DateTime(timezone=True)),
)

# A timed rule fires once per deal and marker (the stage entry, or the date it watched).
timed_firings = sa.Table(
    "timed_firings", metadata,
    sa.Column("rule_id", sa.BigInteger, primary_key=True),
    sa.Column("deal_id", sa.BigInteger, primary_key=True),
    sa.Column("marker", sa.Text, primary_key=True),
    sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

approvals = sa.Table(
    "approvals", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("deal_id", sa.BigInteger, sa.ForeignKey("deals.id"), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("approver_id", sa.BigInteger, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),
    sa.Column("comment", sa.Text),
    sa.Column("rule_id", sa.BigInteger),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
)

deal_comments = sa.Table(
    "deal_comments", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("deal_id", sa.BigInteger, sa.ForeignKey("deals.id"), nullable=False),
    sa.Column("author_id", sa.BigInteger),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("mentioned_user_ids", ARRAY(sa.BigInteger), nullable=False, server_default="{}"),
    sa.Column("is_question", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

invoice_counters = sa.Table(
    "invoice_counters", metadata,
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("last_number", sa.Integer, nullable=False),
)

invoices = sa.Table(
    "invoices", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("deal_id", sa.BigInteger, sa.ForeignKey("deals.id"), nullable=False),
    sa.Column("number", sa.Text, nullable=False, unique=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("amount", sa.Numeric(14, 2), nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("paid_amount", sa.Numeric(14, 2), nullable=False, server_default="0"),
    sa.Column("status", sa.Text, nullable=False, server_default="unpaid"),
    sa.Column("paid_at", sa.DateTime(timezone=True)),
    sa.Column("overdue_reported_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

documents = sa.Table(
    "documents", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("deal_id", sa.BigInteger, sa.ForeignKey("deals.id"), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("content_type", sa.Text, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),  # relative to DOCUMENTS_DIR: deals/<deal id>/<file>
    sa.Column("uploaded_by", sa.BigInteger),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
