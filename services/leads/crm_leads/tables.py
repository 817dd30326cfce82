"""The leads database as the code queries it (migrations/ say how it came to be)."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = sa.MetaData()


def _timestamps():
    return [sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())]


def _record():
    """What every editable record carries: its version (+1 on every change) and when it was archived."""
    return [sa.Column("version", sa.Integer, nullable=False, server_default="1"),
            sa.Column("archived_at", sa.DateTime(timezone=True))]


companies = sa.Table(
    "companies", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("category", sa.CHAR(1), nullable=False),
    sa.Column("responsible_id", sa.BigInteger),
    sa.Column("inn", sa.Text),
    sa.Column("address", sa.Text),
    *_record(),
    *_timestamps(),
)

company_categories = sa.Table(
    "company_categories", metadata,
    sa.Column("category", sa.CHAR(1), primary_key=True),
    sa.Column("contact_interval_days", sa.Integer, nullable=False),
)

contacts = sa.Table(
    "contacts", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("phone", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("phone_unparsed", sa.Text),  # a number as written when it could not be parsed
    sa.Column("company_id", sa.BigInteger, sa.ForeignKey("companies.id")),
    sa.Column("responsible_id", sa.BigInteger),
    sa.Column("merged_into_id", sa.BigInteger, sa.ForeignKey("contacts.id")),
    *_record(),
    *_timestamps(),
)

# Every normalized way to reach a person: one phone, e-mail or Telegram id is one contact.
contact_identities = sa.Table(
    "contact_identities", metadata,
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, primary_key=True),
    sa.Column("contact_id", sa.BigInteger, sa.ForeignKey("contacts.id"), nullable=False),
)

lead_stages = sa.Table(
    "lead_stages", metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("required_fields", ARRAY(sa.Text), nullable=False),
    sa.Column("deprecated", sa.Boolean, nullable=False),
)

leads = sa.Table(
    "leads", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("contact_id", sa.BigInteger, sa.ForeignKey("contacts.id"), nullable=False),
    sa.Column("company_id", sa.BigInteger, sa.ForeignKey("companies.id")),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("external_id", sa.Text),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    sa.Column("stage", sa.Text, sa.ForeignKey("lead_stages.code"), nullable=False, server_default="new"),
    sa.Column("responsible_id", sa.BigInteger),
    sa.Column("request_type", sa.Text),
    sa.Column("client_type", sa.Text),
    sa.Column("fields", JSONB, nullable=False, server_default="{}"),
    sa.Column("legacy_stage", sa.Text),
    sa.Column("converted_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    *_record(),
    *_timestamps(),
    sa.UniqueConstraint("source", "external_id", name="leads_source_external_id"),
)

communications = sa.Table(
    "communications", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("contact_id", sa.BigInteger, sa.ForeignKey("contacts.id"), nullable=False),
    sa.Column("company_id", sa.BigInteger, sa.ForeignKey("companies.id")),
    sa.Column("lead_id", sa.BigInteger, sa.ForeignKey("leads.id")),
    sa.Column("deal_id", sa.BigInteger),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("direction", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("category", sa.Text),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("duration_seconds", sa.Integer),
    sa.Column("recording_url", sa.Text),
    sa.Column("external_id", sa.Text),
    sa.Column("from_address", sa.Text),
    sa.Column("to_address", sa.Text),
    sa.Column("subject", sa.Text),
    sa.Column("body", sa.Text),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    *_timestamps(),
    sa.UniqueConstraint("channel", "external_id", name="communications_channel_external_id"),
)

blocked_numbers = sa.Table(
    "blocked_numbers", metadata,
    sa.Column("phone", sa.Text, primary_key=True),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    *_timestamps(),
)

category_rules = sa.Table(
    "category_rules", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("channel", sa.Text),
    sa.Column("keyword", sa.Text),
    sa.Column("max_duration_seconds", sa.Integer),
)

duty_roster = sa.Table(
    "duty_roster", metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True),
    sa.Column("on_duty", sa.Boolean, nullable=False),
    sa.Column("last_assigned_at", sa.DateTime(timezone=True)),
)

substitutes = sa.Table(
    "substitutes", metadata,
    sa.Column("user_id", sa.BigInteger, primary_key=True),
    sa.Column("substitute_id", sa.BigInteger, nullable=False),
)

reassignments = sa.Table(
    "reassignments", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("batch_id", sa.Text, nullable=False),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("entity_id", sa.BigInteger, nullable=False),
    sa.Column("from_user", sa.BigInteger, nullable=False),
    sa.Column("to_user", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("returned_at", sa.DateTime(timezone=True)),
    *_timestamps(),
)

# Which deals each contact has open (from deals' events): new calls and messages link to the newest.
contact_deals = sa.Table(
    "contact_deals", metadata,
    sa.Column("deal_id", sa.BigInteger, primary_key=True),
    sa.Column("contact_id", sa.BigInteger, nullable=False),
    sa.Column("open", sa.Boolean, nullable=False, server_default=sa.true()),
    *_timestamps(),
)

# Contacts whose personal data was erased on request: the record of it (the data itself is gone).
contact_erasures = sa.Table(
    "contact_erasures", metadata,
    sa.Column("contact_id", sa.BigInteger, sa.ForeignKey("contacts.id"), primary_key=True),
    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("reason", sa.Text),
    sa.Column("erased_by", sa.BigInteger),
)
