"""identities, companies, communications, the lead pipeline as data, ownership and intake rules

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0002"
down_revision = "0001"

STAGES = [
    # code, name, kind, position, required fields
    ("new", "Новый", "open", 0, []),
    ("in_work", "В работе", "open", 1, []),
    ("qualified", "Квалифицирован", "open", 2, ["request_type"]),
    ("won", "Сконвертирован", "won", 3, ["request_type", "client_type"]),
    ("lost_expensive", "Отказ: дорого", "lost", 10, []),
    ("lost_no_coverage", "Отказ: нет технической возможности", "lost", 11, []),
    ("lost_competitor", "Отказ: выбрал конкурента", "lost", 12, []),
    ("lost_unreachable", "Отказ: не дозвонились", "lost", 13, []),
    ("lost_spam", "Спам", "lost", 14, []),
]

RULES = [
    # position, category, channel, keyword, max duration of a call in seconds
    (10, "spam", "call", None, 3),
    (20, "service_question", None, "не работает", None),
    (21, "service_question", None, "нет интернета", None),
    (22, "service_question", None, "поддержк", None),
]


def upgrade():
    op.create_table(
        "companies",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("category", sa.CHAR(1), nullable=False),
        sa.Column("responsible_id", sa.BigInteger),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("category IN ('A', 'B', 'C')", name="companies_category"),
    )
    op.create_index("companies_responsible", "companies", ["responsible_id"])
    op.create_table(
        "company_categories",
        sa.Column("category", sa.CHAR(1), primary_key=True),
        sa.Column("contact_interval_days", sa.Integer, nullable=False),
    )
    op.bulk_insert(sa.table("company_categories", sa.column("category"), sa.column("contact_interval_days")),
                   [{"category": "A", "contact_interval_days": 14}, {"category": "B", "contact_interval_days": 30},
                    {"category": "C", "contact_interval_days": 60}])

    op.drop_index("contacts_phone", "contacts")
    op.drop_index("contacts_email", "contacts")
    op.add_column("contacts", sa.Column("company_id", sa.BigInteger, sa.ForeignKey("companies.id")))
    op.add_column("contacts", sa.Column("responsible_id", sa.BigInteger))
    op.add_column("contacts", sa.Column("merged_into_id", sa.BigInteger, sa.ForeignKey("contacts.id")))
    op.add_column("contacts", sa.Column("phone_unparsed", sa.Text))
    op.create_index("contacts_responsible", "contacts", ["responsible_id"])
    op.create_table(
        "contact_identities",
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, primary_key=True),
        sa.Column("contact_id", sa.BigInteger, sa.ForeignKey("contacts.id"), nullable=False),
        sa.CheckConstraint("kind IN ('phone', 'email', 'telegram')", name="contact_identities_kind"),
    )
    op.create_index("contact_identities_contact", "contact_identities", ["contact_id"])
    op.execute("INSERT INTO contact_identities SELECT 'phone', phone, id FROM contacts WHERE phone IS NOT NULL")
    op.execute("INSERT INTO contact_identities SELECT 'email', email, id FROM contacts WHERE email IS NOT NULL")

    op.create_table(
        "lead_stages",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("required_fields", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("deprecated", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.CheckConstraint("kind IN ('open', 'won', 'lost')", name="lead_stages_kind"),
    )
    op.bulk_insert(
        sa.table("lead_stages", sa.column("code"), sa.column("name"), sa.column("kind"), sa.column("position"),
                 sa.column("required_fields", ARRAY(sa.Text))),
        [dict(code=c, name=n, kind=k, position=p, required_fields=r) for c, n, k, p, r in STAGES],
    )
    op.add_column("leads", sa.Column("channel", sa.Text, nullable=False, server_default="web_form"))
    op.add_column("leads", sa.Column("responsible_id", sa.BigInteger))
    op.add_column("leads", sa.Column("company_id", sa.BigInteger, sa.ForeignKey("companies.id")))
    op.add_column("leads", sa.Column("request_type", sa.Text))
    op.add_column("leads", sa.Column("client_type", sa.Text))
    op.add_column("leads", sa.Column("fields", JSONB, nullable=False, server_default="{}"))
    op.add_column("leads", sa.Column("legacy_stage", sa.Text))
    op.add_column("leads", sa.Column("converted_at", sa.DateTime(timezone=True)))
    op.add_column("leads", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                                     server_default=sa.func.now()))
    op.create_foreign_key("leads_stage", "leads", "lead_stages", ["stage"], ["code"])
    op.create_check_constraint("leads_client_type", "leads", "client_type IN ('private', 'business')")
    op.create_index("leads_contact", "leads", ["contact_id"])
    op.create_index("leads_responsible_stage", "leads", ["responsible_id", "stage"])
    op.create_index("leads_stage", "leads", ["stage", "id"])

    op.create_table(
        "communications",
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
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("channel", "external_id", name="communications_channel_external_id"),
        sa.CheckConstraint("direction IN ('in', 'out')", name="communications_direction"),
        sa.CheckConstraint("status IN ('planned', 'in_progress', 'completed', 'missed', 'no_answer', 'failed')",
                           name="communications_status"),
    )
    op.create_index("communications_contact_time", "communications", ["contact_id", "occurred_at"])
    op.create_index("communications_company_time", "communications", ["company_id", "occurred_at"])

    op.create_table(
        "blocked_numbers",
        sa.Column("phone", sa.Text, primary_key=True),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "category_rules",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("channel", sa.Text),
        sa.Column("keyword", sa.Text),
        sa.Column("max_duration_seconds", sa.Integer),
    )
    op.bulk_insert(
        sa.table("category_rules", sa.column("position"), sa.column("category"), sa.column("channel"),
                 sa.column("keyword"), sa.column("max_duration_seconds")),
        [dict(position=p, category=c, channel=ch, keyword=k, max_duration_seconds=d) for p, c, ch, k, d in RULES],
    )
    op.create_table(
        "duty_roster",
        sa.Column("user_id", sa.BigInteger, primary_key=True),
        sa.Column("on_duty", sa.Boolean, nullable=False),
        sa.Column("last_assigned_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "substitutes",
        sa.Column("user_id", sa.BigInteger, primary_key=True),
        sa.Column("substitute_id", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "reassignments",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("batch_id", sa.Text, nullable=False),
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("entity_id", sa.BigInteger, nullable=False),
        sa.Column("from_user", sa.BigInteger, nullable=False),
        sa.Column("to_user", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("returned_at", sa.DateTime(timezone=True)),
    )
    op.create_index("reassignments_batch", "reassignments", ["batch_id"])


def downgrade():
    for table in ("reassignments", "substitutes", "duty_roster", "category_rules", "blocked_numbers",
                  "communications"):
        op.drop_table(table)
    for index in ("leads_stage", "leads_responsible_stage", "leads_contact"):
        op.drop_index(index, "leads")
    op.drop_constraint("leads_client_type", "leads")
    op.drop_constraint("leads_stage", "leads")
    for column in ("updated_at", "converted_at", "legacy_stage", "fields", "client_type", "request_type",
                   "company_id", "responsible_id", "channel"):
        op.drop_column("leads", column)
    op.drop_table("lead_stages")
    op.drop_table("contact_identities")
    op.drop_index("contacts_responsible", "contacts")
    for column in ("phone_unparsed", "merged_into_id", "responsible_id", "company_id"):
        op.drop_column("contacts", column)
    op.create_index("contacts_phone", "contacts", ["phone"], unique=True, postgresql_where=sa.text("phone IS NOT NULL"))
    op.create_index("contacts_email", "contacts", ["email"], unique=True, postgresql_where=sa.text("email IS NOT NULL"))
    op.drop_table("company_categories")
    op.drop_index("companies_responsible", "companies")
    op.drop_table("companies")
