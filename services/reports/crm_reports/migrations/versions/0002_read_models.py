"""read models for KPIs, ABC contact control, funnels, operations and segments

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "companies",
        sa.Column("company_id", sa.BigInteger, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("responsible_id", sa.BigInteger),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "contact_companies",
        sa.Column("contact_id", sa.BigInteger, primary_key=True),
        sa.Column("company_id", sa.BigInteger, nullable=False, index=True),
    )
    op.create_table(
        "leads",
        sa.Column("lead_id", sa.BigInteger, primary_key=True),
        sa.Column("contact_id", sa.BigInteger),
        sa.Column("company_id", sa.BigInteger, index=True),
        sa.Column("responsible_id", sa.BigInteger),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("stage_kind", sa.Text, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "deals",
        sa.Column("deal_id", sa.BigInteger, primary_key=True),
        sa.Column("pipeline", sa.Text, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("stage_kind", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("responsible_id", sa.BigInteger, index=True),
        sa.Column("contact_id", sa.BigInteger),
        sa.Column("company_id", sa.BigInteger, index=True),
        sa.Column("lead_id", sa.BigInteger),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("fields", JSONB, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("stage_entered_at", TIMESTAMP, nullable=False),
        sa.Column("closed_at", TIMESTAMP),
    )
    op.create_table(
        "deal_visits",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("deal_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("pipeline", sa.Text, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("entered_at", TIMESTAMP, nullable=False),
        sa.Column("left_at", TIMESTAMP),
    )
    op.create_table(
        "tasks",
        sa.Column("task_id", sa.BigInteger, primary_key=True),
        sa.Column("deal_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("assignee_id", sa.BigInteger),
        sa.Column("due_at", TIMESTAMP, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("completed_at", TIMESTAMP),
    )
    op.create_table(
        "communications",
        sa.Column("communication_id", sa.BigInteger, primary_key=True),
        sa.Column("contact_id", sa.BigInteger, nullable=False),
        sa.Column("company_id", sa.BigInteger),
        sa.Column("lead_id", sa.BigInteger),
        sa.Column("deal_id", sa.BigInteger),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("direction", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
        sa.Column("contact_kind", sa.Text),
    )
    for link in ("company_id", "contact_id", "lead_id", "deal_id"):  # the four ways a contact reaches a company
        op.create_index(f"communications_contacts_by_{link}", "communications", [link, "contact_kind", "occurred_at"],
                        postgresql_where=sa.text(f"contact_kind IS NOT NULL AND {link} IS NOT NULL"))
    op.create_table(
        "activities",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("manager_id", sa.BigInteger, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("ref", sa.BigInteger, nullable=False),
    )
    op.create_index("activities_day_manager", "activities", ["day", "manager_id"])
    op.create_table(
        "losses",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("ref", sa.BigInteger, nullable=False),
        sa.Column("pipeline", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("responsible_id", sa.BigInteger),
        sa.Column("lost_at", TIMESTAMP, nullable=False, index=True),
    )
    op.create_table(
        "bookings",
        sa.Column("booking_id", sa.BigInteger, primary_key=True),
        sa.Column("crew_id", sa.BigInteger, nullable=False),
        sa.Column("crew_name", sa.Text, nullable=False),
        sa.Column("deal_id", sa.BigInteger),
        sa.Column("starts_at", TIMESTAMP, nullable=False),
        sa.Column("ends_at", TIMESTAMP, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
    )
    op.create_table(
        "kpi_snapshots",
        sa.Column("manager_id", sa.BigInteger, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("indicator", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("taken_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("kpi_snapshots_day", "kpi_snapshots", ["day"])
    op.create_table(
        "segments",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("filters", JSONB, nullable=False),
        sa.Column("created_by", sa.BigInteger),
        sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    for table in ("segments", "kpi_snapshots", "bookings", "losses", "activities", "communications", "tasks",
                  "deal_visits", "deals", "leads", "contact_companies", "companies"):
        op.drop_table(table)
