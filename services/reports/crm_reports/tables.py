import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

metadata = sa.MetaData()

# Every event reports has applied, kept so that the read models can be rebuilt from scratch.
event_store = sa.Table(
    "event_store",
    metadata,
    sa.Column("position", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("envelope", JSONB, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

leads_by_day = sa.Table(
    "leads_by_day",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("leads", sa.Integer, nullable=False),
)

# -- the world as events tell it (rebuilt by replaying event_store) ------------------------

companies = sa.Table(
    "companies", metadata,
    sa.Column("company_id", sa.BigInteger, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("responsible_id", sa.BigInteger),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

contact_companies = sa.Table(
    "contact_companies", metadata,
    sa.Column("contact_id", sa.BigInteger, primary_key=True),
    sa.Column("company_id", sa.BigInteger, nullable=False, index=True),
)

leads = sa.Table(
    "leads", metadata,
    sa.Column("lead_id", sa.BigInteger, primary_key=True),
    sa.Column("contact_id", sa.BigInteger),
    sa.Column("company_id", sa.BigInteger, index=True),
    sa.Column("responsible_id", sa.BigInteger),
    sa.Column("stage", sa.Text, nullable=False),
    sa.Column("stage_kind", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

deals = sa.Table(
    "deals", metadata,
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
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("stage_entered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("archived_at", sa.DateTime(timezone=True)),
)

deal_visits = sa.Table(
    "deal_visits", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("deal_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("pipeline", sa.Text, nullable=False),
    sa.Column("stage", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("left_at", sa.DateTime(timezone=True)),
)

tasks = sa.Table(
    "tasks", metadata,
    sa.Column("task_id", sa.BigInteger, primary_key=True),
    sa.Column("deal_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("assignee_id", sa.BigInteger),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    sa.Column("archived_at", sa.DateTime(timezone=True)),
)

communications = sa.Table(
    "communications", metadata,
    sa.Column("communication_id", sa.BigInteger, primary_key=True),
    sa.Column("contact_id", sa.BigInteger, nullable=False),
    sa.Column("company_id", sa.BigInteger),
    sa.Column("lead_id", sa.BigInteger),
    sa.Column("deal_id", sa.BigInteger),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("direction", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    # "call" or "email" when it is a contact in the ABC sense (domain.abc), else NULL
    sa.Column("contact_kind", sa.Text),
)

# The latest contact (domain.abc) per thing a communication is linked to: link is company, contact,
# lead or deal. The ABC report joins these to companies when it runs, so a contact that joins a
# company later brings its history along.
last_contacts = sa.Table(
    "last_contacts", metadata,
    sa.Column("link", sa.Text, primary_key=True),
    sa.Column("link_id", sa.BigInteger, primary_key=True),
    sa.Column("contact_kind", sa.Text, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

# What managers did, attributed when it happened: the KPI "today" counts read it.
activities = sa.Table(
    "activities", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("manager_id", sa.BigInteger, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("ref", sa.BigInteger, nullable=False),
    sa.Index("activities_day_manager", "day", "manager_id"),
)

losses = sa.Table(
    "losses", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("source", sa.Text, nullable=False),  # lead | deal
    sa.Column("ref", sa.BigInteger, nullable=False),
    sa.Column("pipeline", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("responsible_id", sa.BigInteger),
    sa.Column("lost_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

bookings = sa.Table(
    "bookings", metadata,
    sa.Column("booking_id", sa.BigInteger, primary_key=True),
    sa.Column("crew_id", sa.BigInteger, nullable=False),
    sa.Column("crew_name", sa.Text, nullable=False),
    sa.Column("deal_id", sa.BigInteger),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # booked | cancelled | success | failure
)

# The furthest each outbound message got (notify's message.status_changed.v1), per channel.
message_deliveries = sa.Table(
    "message_deliveries", metadata,
    sa.Column("message_id", sa.BigInteger, primary_key=True),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
)

# The audit trail: one entry per event of every producer (who, what, from what to what). `subjects`
# are every record the entry is about ("deal:12", "lead:3"), so each card's history is one lookup.
audit_entries = sa.Table(
    "audit_entries", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("entity_id", sa.Text),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("subjects", ARRAY(sa.Text), nullable=False),
    sa.Column("actor_kind", sa.Text),
    sa.Column("actor_id", sa.Text, index=True),
    sa.Column("actor_label", sa.Text),
    sa.Column("actor_role", sa.Text),
    sa.Column("rule_id", sa.BigInteger),
    sa.Column("rule_version", sa.Integer),
    sa.Column("changes", JSONB, nullable=False),
    sa.Index("audit_entries_subjects", "subjects", postgresql_using="gin"),
)

PROJECTION_TABLES = (leads_by_day, companies, contact_companies, leads, deals, deal_visits, tasks, communications,
                     last_contacts, activities, losses, bookings, message_deliveries, audit_entries)

# -- kept across rebuilds: a history written by the timer, and people's saved filters -----

kpi_snapshots = sa.Table(
    "kpi_snapshots", metadata,
    sa.Column("manager_id", sa.BigInteger, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("indicator", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("kpi_snapshots_day", "day"),
)

segments = sa.Table(
    "segments", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # deals | companies
    sa.Column("filters", JSONB, nullable=False),
    sa.Column("created_by", sa.BigInteger),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
