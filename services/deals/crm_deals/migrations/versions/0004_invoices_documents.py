"""payment schedules with numbered invoices, documents with required kinds per stage

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0004"
down_revision = "0003"


def upgrade():
    op.create_table(
        "invoice_counters",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    op.create_table(
        "invoices",
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
        sa.CheckConstraint("amount > 0", name="invoices_amount"),
        sa.CheckConstraint("status IN ('unpaid', 'partially_paid', 'paid')", name="invoices_status"),
    )
    op.create_index("invoices_deal", "invoices", ["deal_id", "position"])
    op.create_index("invoices_unpaid_due", "invoices", ["due_date"], postgresql_where=sa.text("status <> 'paid'"))
    op.add_column("stages", sa.Column("required_documents", ARRAY(sa.Text), nullable=False, server_default="{}"))
    op.create_table(
        "documents",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("deal_id", sa.BigInteger, sa.ForeignKey("deals.id"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("uploaded_by", sa.BigInteger),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("documents_deal", "documents", ["deal_id", "kind"])


def downgrade():
    op.drop_table("documents")
    op.drop_column("stages", "required_documents")
    op.drop_table("invoices")
    op.drop_table("invoice_counters")
