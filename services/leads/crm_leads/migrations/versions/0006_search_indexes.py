"""the one search: trigram indexes on folded names and titles (parts of words), the end of a phone
as the start of its reverse, companies by INN, and the list of words the names and titles hold, kept
by triggers, against which a mistyped word is corrected

Names and titles are indexed as crm_chassis.sql.folded writes them: translate(lower(x), 'ё', 'е').
Revises 0004 here; when the clients' 0005 (versions, archive, companies.inn) is in too, it goes before
this one (down_revision = "0005"), and this one indexes companies.inn (skipped while there is none).

Revision ID: 0006
Revises: 0004
"""
from alembic import op

from crm_chassis.search import word_list_sql

revision = "0006"
down_revision = "0004"
WORD_SOURCES = (("contacts", "name"), ("companies", "name"), ("leads", "title"))
FOLDED = {"contacts_name_trgm": ("contacts", "name"), "companies_name_trgm": ("companies", "name"),
          "leads_title_trgm": ("leads", "title")}
INN_INDEX = """
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'companies' AND column_name = 'inn') THEN
        CREATE INDEX IF NOT EXISTS companies_inn ON companies (inn);
    END IF;
END $$"""


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for index, (table, column) in FOLDED.items():
        op.execute(f"CREATE INDEX {index} ON {table} USING gin (translate(lower({column}), 'ё', 'е') gin_trgm_ops)")
    # every kind, not only phones: a partial index's expression gets no statistics, and the planner,
    # guessing thousands of rows for a suffix, would walk a whole index instead
    op.execute("CREATE INDEX contact_identities_phone_suffix ON contact_identities (reverse(value) text_pattern_ops)")
    op.execute(INN_INDEX)
    for statement in word_list_sql(*WORD_SOURCES):
        op.execute(statement)


def downgrade():
    for table, _ in WORD_SOURCES:
        op.execute(f"DROP TRIGGER {table}_search_words ON {table}")
    op.execute("DROP FUNCTION search_words_keep()")
    op.drop_table("search_words")
    op.execute("DROP INDEX IF EXISTS companies_inn")
    op.drop_index("contact_identities_phone_suffix", "contact_identities")
    for index, (table, _) in FOLDED.items():
        op.drop_index(index, table)
