"""The plumbing of every service's part of the one search (`GET /search`): a kind of record is found
by several queries ("branches"), each giving (id, score) on an index of its own; a record found several
ways keeps its best score, and the kind is ranked by it. What a query means and what each reading
scores is the service's domain; this only runs it.

Names and titles are matched on trigram indexes over `crm_chassis.sql.folded(column)` (pg_trgm):
every word contained. When no record holds the words, each mistyped word is replaced by the closest
word the records hold (`closest_words`, `corrections`) and the search runs again, ranked lower.
"""
from contextlib import contextmanager

import sqlalchemy as sa
from marshmallow import Schema, fields, validate

from crm_chassis.records import archived_filter
from crm_chassis.sql import folded

MAX_TEXT, MAX_LIMIT = 100, 100
MIN_LIKENESS = 0.4  # a one-letter typo in a five-letter word is about 0.43


class SearchInput(Schema):
    """What every service's `search` RPC takes: the text as typed and how many of each kind to return."""

    q = fields.String(required=True, validate=[validate.Length(max=MAX_TEXT),
                                               validate.Regexp(r"^\s*\S", error="is blank")])
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_LIMIT))


def found(table, score: float, *where, source=None):
    """A branch: the rows of `table` (joined as `source`, if given) that meet `where`, all scoring `score`."""
    query = sa.select(table.c.id, sa.literal(score).label("score")).where(*where)
    return query.select_from(source) if source is not None else query


def by_words(table, column, words, score: float, limit: int):
    """The newest `limit` rows whose folded column holds every word (trigram index on folded(column),
    LIKE), all scoring `score`: on a common word PostgreSQL reads the newest rows by primary key instead
    of every match. `words` must not be empty: no words would match every row."""
    target = folded(column)
    return (found(table, score, *(target.contains(word, autoescape=True) for word in words))
            .order_by(table.c.id.desc()).limit(limit))


@contextmanager
def matches_first(session, words):
    """Several words inside names: PostgreSQL cannot tell how rare their combination is, so it may walk a
    whole table newest first looking for it; reading the trigram index's matches first is bounded by the
    rarest word instead. One word keeps the newest-first walk, which is what a common word needs."""
    if len(words) < 2:
        yield
        return
    session.execute(sa.text("SET LOCAL enable_indexscan = off"))
    try:
        yield
    finally:
        session.execute(sa.text("SET LOCAL enable_indexscan = on"))


def closest_words(session, words_table, words) -> dict[str, tuple[str, float]]:
    """For each word, the most similar word the records hold (itself, 1.0, when they hold it) and its
    trigram similarity; a word with nothing near (pg_trgm's `%`, similarity 0.3 and up) is left out.
    `words_table` is the service's `search_words`, kept by the triggers `word_list_sql` makes."""
    word, closest = words_table.c.word, {}
    for typed in words:
        likeness = sa.func.similarity(word, typed).label("likeness")
        row = session.execute(sa.select(word, likeness).where(word.op("%")(typed))
                              .order_by(likeness.desc(), word).limit(1)).first()
        if row is not None:
            closest[typed] = (row.word, float(row.likeness))
    return closest


def corrections(words, closest: dict[str, tuple[str, float]], minimum: float = MIN_LIKENESS):
    """(the words with each mistyped one replaced by the closest word the records hold, the least
    similarity among the replacements), or None when nothing was mistyped or a word has nothing close."""
    fixed = [closest.get(word, (None, 0.0)) for word in words]
    if any(better is None or likeness < minimum for better, likeness in fixed):
        return None
    if all(better == word for (better, _), word in zip(fixed, words)):
        return None
    return tuple(better for better, _ in fixed), min(likeness for _, likeness in fixed)


def word_list_sql(*sources: tuple[str, str]) -> list[str]:
    """The statements of a migration that keeps `search_words`, every folded word of three letters or
    more (not all digits) in the (table, column) sources: the table with a trigram index, a trigger on
    each source, and the words already there. Mistyped words are corrected against it: a few thousand
    distinct words answer `%` in milliseconds where the names themselves would take a scan."""
    split = ("SELECT DISTINCT w FROM {rows}regexp_split_to_table(translate(lower({text}), 'ё', 'е'), '[^0-9a-zа-я]+')"
             " AS w WHERE length(w) >= 3 AND w !~ '^[0-9]+$'")
    statements = [
        "CREATE TABLE search_words (word text PRIMARY KEY)",
        "CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops)",
        "CREATE FUNCTION search_words_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO search_words"
        f" (word) {split.format(rows='', text='to_jsonb(NEW) ->> TG_ARGV[0]')} ORDER BY w ON CONFLICT DO NOTHING;"
        " RETURN NULL; END $$",
    ]
    for table, column in sources:
        statements += [
            f"CREATE TRIGGER {table}_search_words AFTER INSERT OR UPDATE OF {column} ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION search_words_keep('{column}')",
            f"INSERT INTO search_words (word) {split.format(rows=f'{table}, ', text=column)} ON CONFLICT DO NOTHING",
        ]
    return statements


def ranked(session, table, branches: list, columns: list, where: list, limit: int, joins=()) -> list:
    """The rows the branches found that meet `where`, each with its best score, best first (newest first
    among equals), `limit` at most; `joins` are (table, on) pairs the extra columns come from. A branch
    that may find many rows comes cut to `limit` (by_words)."""
    if not branches:
        return []
    union = sa.union_all(*(branch.where(*where) for branch in branches)).subquery()
    best_score = sa.func.max(union.c.score).label("score")
    best = (sa.select(union.c.id, best_score).group_by(union.c.id)
            .order_by(best_score.desc(), union.c.id.desc()).limit(limit).subquery())
    source = table.join(best, best.c.id == table.c.id)
    for joined, on in joins:
        source = source.outerjoin(joined, on)
    return session.execute(
        sa.select(table.c.id, best.c.score, *columns).select_from(source)
        .order_by(best.c.score.desc(), table.c.id.desc())).mappings().all()


def visible(table, responsible_ids: set[int] | None) -> list:
    """Conditions for what a search shows: not archived, and among `responsible_ids` unless None (all)."""
    # deals' archive is another branch's; until a table has archived_at, every row of it is live
    shown = [archived_filter(table, archived=False)] if "archived_at" in table.c else []
    if responsible_ids is not None:
        shown.append(table.c.responsible_id.in_(responsible_ids))
    return shown


def result(kind: str, row, title: str, *subtitle) -> dict:
    """One line of the merged list: what it is, its id, a title and a subtitle of the parts there are."""
    return {"type": kind, "id": row["id"], "title": title, "subtitle": " · ".join(str(p) for p in subtitle if p),
            "score": round(float(row["score"]), 3), "responsible_id": row["responsible_id"]}
