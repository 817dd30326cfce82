import sqlalchemy as sa

metadata = sa.MetaData()

campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("idempotency_key", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    # Derived from the cause (event id, channel, recipient, template): a redelivery finds the row.
    sa.Column("idempotency_key", sa.Text, nullable=False, unique=True),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("recipient", sa.Text, nullable=False),
    sa.Column("template", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("subject", sa.Text, nullable=True),
    sa.Column("deal_id", sa.BigInteger, nullable=True),
    # What the message is about, e.g. `booking:3`: a reschedule cancels that booking's reminders.
    sa.Column("reference", sa.Text, nullable=True),
    sa.Column("campaign_id", sa.BigInteger, sa.ForeignKey("campaigns.id"), nullable=True),
    sa.Column("send_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("provider_id", sa.Text, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

opt_outs = sa.Table(
    "opt_outs",
    metadata,
    sa.Column("channel", sa.Text, primary_key=True),
    sa.Column("address", sa.Text, primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# The staff bot: a chat linked to one user, by a one-time code the user got from their profile.
telegram_links = sa.Table(
    "telegram_links",
    metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True),
    sa.Column("chat_id", sa.Text, nullable=False, unique=True),
    sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("sees_all", sa.Boolean, nullable=False, server_default=sa.false()),
)

telegram_link_codes = sa.Table(
    "telegram_link_codes",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("user_id", sa.BigInteger, nullable=False, unique=True),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sees_all", sa.Boolean, nullable=False, server_default=sa.false()),
)
