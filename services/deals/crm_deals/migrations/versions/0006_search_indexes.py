"""the one search: a trigram index on deals' folded titles (parts of words), and the list of words the
titles hold, kept by a trigger, against which a mistyped word is corrected; a deal number is its
primary key

The title is indexed as crm_chassis.sql.folded writes it: translate(lower(title), 'ё', 'е').
Revises 0004 here; another branch's 0005 goes before it when both are in (down_revision = "0005").

Revision ID: 0006
Revises: 0004
"""
from alembic import op

from crm_chassis.search import word_list_sql

revision = "0006"
down_revision = "0004"


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX deals_title_trgm ON deals USING gin (translate(lower(title), 'ё', 'е') gin_trgm_ops)")
    for statement in word_list_sql(("deals", "title")):
        op.execute(statement)


def downgrade():
    op.execute("DROP TRIGGER deals_search_words ON deals")
    op.execute("DROP FUNCTION search_words_keep()")
    op.drop_table("search_words")
    op.drop_index("deals_title_trgm", "deals")
