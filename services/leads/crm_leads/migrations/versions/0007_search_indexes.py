"""the one search: trigram indexes on folded names and titles (parts of words), the end of a phone
as the start of its reverse, companies by INN, and the list of words the names and titles hold, kept
by triggers, against which a mistyped word is corrected

Names and titles are indexed as crm_chassis.sql.folded writes them: translate(lower(x), 'ё', 'е').

Revision ID: 0007
Revises: 0006
"""
from alembic import op

from crm_chassis.search import word_list_sql

revision = "0007"
down_revision = "0006"
WORD_SOURCES = (("contacts", "name"), ("companies", "name"), ("leads", "title"))
FOLDED = {"contacts_name_trgm": ("contacts", "name"), "companies_name_trgm": ("companies", "name"),
          "leads_title_trgm": ("leads", "title")}


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for index, (table, column) in FOLDED.items():
        op.execute(f"CREATE INDEX {index} ON {table} USING gin (translate(lower({column}), 'ё', 'е') gin_trgm_ops)")
    # every kind, not only phones: a partial index's expression gets no statistics, and the planner,
    # guessing thousands of rows for a suffix, would walk a whole index instead
    op.execute("CREATE INDEX contact_identities_phone_suffix ON contact_identities (reverse(value) text_pattern_ops)")
    op.execute("CREATE INDEX companies_inn ON companies (inn)")
    for statement in word_list_sql(*WORD_SOURCES):
        op.execute(statement)


def downgrade():
    for table, _ in WORD_SOURCES:
        op.execute(f"DROP TRIGGER {table}_search_words ON {table}")
    op.execute("DROP FUNCTION search_words_keep()")
    op.drop_table("search_words")
    op.drop_index("companies_inn", "companies")
    op.drop_index("contact_identities_phone_suffix", "contact_identities")
    for index, (table, _) in FOLDED.items():
        op.drop_index(index, table)
