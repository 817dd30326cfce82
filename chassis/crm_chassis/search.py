"""The plumbing of every service's part of the one search (`GET /search`): a kind of record is found
by several queries ("branches"), each giving (id, score) on an index of its own; a record found several
ways keeps its best score, and the kind is ranked by it. What a query means and what each reading
scores is the service's domain; this only runs it.

Names and titles are matched on trigram indexes over `crm_chassis.sql.folded(column)` (pg_trgm):
every word contained; or, asked for when no record holds the words (by_likeness scores every
candidate, costly on common trigrams), something close to the whole text (a typo).
"""
import sqlalchemy as sa
from marshmallow import Schema, fields, validate

from crm_chassis.sql import folded

MAX_TEXT, MAX_LIMIT = 100, 100


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


def by_likeness(table, column, text: str, weight: float, limit: int):
    """The `limit` rows whose folded column has a part most like the text (a typo, a word cut short):
    pg_trgm's `<%` on the trigram index; each scores `weight` times its word_similarity."""
    target = folded(column)
    score = (weight * sa.func.word_similarity(text, target)).label("score")
    return (sa.select(table.c.id, score).where(sa.literal(text).op("<%")(target))
            .order_by(score.desc(), table.c.id.desc()).limit(limit))


def ranked(session, table, branches: list, columns: list, where: list, limit: int, joins=()) -> list:
    """The rows the branches found that meet `where`, each with its best score, best first (newest first
    among equals), `limit` at most; `joins` are (table, on) pairs the extra columns come from. A branch
    that may find many rows comes cut to `limit` (by_words, by_likeness)."""
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
    # archived_at arrives with each service's archive (leads: the clients' 0005); until then every row is live
    shown = [table.c.archived_at.is_(None)] if "archived_at" in table.c else []
    if responsible_ids is not None:
        shown.append(table.c.responsible_id.in_(responsible_ids))
    return shown


def result(kind: str, row, title: str, *subtitle) -> dict:
    """One line of the merged list: what it is, its id, a title and a subtitle of the parts there are."""
    return {"type": kind, "id": row["id"], "title": title, "subtitle": " · ".join(str(p) for p in subtitle if p),
            "score": round(float(row["score"]), 3), "responsible_id": row["responsible_id"]}
