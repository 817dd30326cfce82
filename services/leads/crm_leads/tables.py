import sqlalchemy as sa

metadata = sa.MetaData()

contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("phone", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("contacts_phone", "phone", unique=True, postgresql_where=sa.text("phone IS NOT NULL")),
    sa.Index("contacts_email", "email", unique=True, postgresql_where=sa.text("email IS NOT NULL")),
)

leads = sa.Table(
    "leads",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("contact_id", sa.BigInteger, sa.ForeignKey("contacts.id"), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("external_id", sa.Text),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    sa.Column("stage", sa.Text, nullable=False, server_default="new"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("source", "external_id", name="leads_source_external_id"),
)
