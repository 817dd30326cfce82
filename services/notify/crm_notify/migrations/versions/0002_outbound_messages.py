"""outbound messages: schedule, attempts, provider id, deal; campaigns; opt-outs

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.create_table(
        "campaigns",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("idempotency_key", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.add_column("notifications", sa.Column("subject", sa.Text, nullable=True))
    op.add_column("notifications", sa.Column("deal_id", sa.BigInteger, nullable=True))
    op.add_column("notifications", sa.Column("reference", sa.Text, nullable=True))
    op.add_column("notifications", sa.Column("campaign_id", sa.BigInteger, sa.ForeignKey("campaigns.id"),
                                             nullable=True))
    op.add_column("notifications", sa.Column("send_at", sa.DateTime(timezone=True), nullable=False,
                                             server_default=sa.func.now()))
    op.add_column("notifications", sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
    op.add_column("notifications", sa.Column("provider_id", sa.Text, nullable=True))
    op.add_column("notifications", sa.Column("error", sa.Text, nullable=True))
    op.add_column("notifications", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                                             server_default=sa.func.now()))
    # The sender's queue: only what is still to be sent, in due order.
    op.create_index("notifications_due", "notifications", ["send_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("notifications_sending", "notifications", ["updated_at"],
                    postgresql_where=sa.text("status = 'sending'"))
    op.create_index("notifications_deal", "notifications", ["deal_id", "id"],
                    postgresql_where=sa.text("deal_id IS NOT NULL"))
    op.create_index("notifications_reference", "notifications", ["reference"],
                    postgresql_where=sa.text("reference IS NOT NULL"))
    op.create_index("notifications_campaign", "notifications", ["campaign_id", "id"],
                    postgresql_where=sa.text("campaign_id IS NOT NULL"))
    op.create_index("notifications_provider_id", "notifications", ["provider_id"], unique=True,
                    postgresql_where=sa.text("provider_id IS NOT NULL"))
    op.create_table(
        "opt_outs",
        sa.Column("channel", sa.Text, primary_key=True),
        sa.Column("address", sa.Text, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("opt_outs")
    for index in ("notifications_provider_id", "notifications_campaign", "notifications_reference",
                  "notifications_deal", "notifications_sending", "notifications_due"):
        op.drop_index(index, table_name="notifications")
    for column in ("updated_at", "error", "provider_id", "attempts", "send_at", "campaign_id", "reference",
                   "deal_id", "subject"):
        op.drop_column("notifications", column)
    op.drop_table("campaigns")
