"""The plumbing of every service's part of the one search (`GET /search`): a kind of record is found
by several queries ("branches"), each giving (id, score) on an index of its own; a record found several
ways keeps its best score, and the kind is ranked by it. What a query means and what each reading
scores is the service's domain; this only runs it.

Names and titles are matched on trigram indexes over `crm_chassis.sql.folded(column)` (pg_trgm):
every word contained, or something close to the whole text (a typo, a word cut short).
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


def by_words(table, column, text: str, words, weight: float):
    """The branch for names and titles: `weight` times pg_trgm's word_similarity. `words` must not be
    empty (no words would match every row)."""
    target = folded(column)
    return (sa.select(table.c.id, (weight * sa.func.word_similarity(text, target)).label("score"))
            .where(sa.or_(sa.and_(*(target.contains(word, autoescape=True) for word in words)),
                          sa.literal(text).op("<%")(target))))


def exact(table, column, value, score: float):
    return sa.select(table.c.id, sa.literal(score).label("score")).where(column == value)


def ranked(session, table, branches: list, columns: list, where: list, limit: int, joins=()) -> list:
    """The rows the branches found, each with its best score, best first (newest first among equals);
    `where` filters the rows, `joins` are (table, on) pairs the extra columns come from."""
    if not branches:
        return []
    found = sa.union_all(*branches).subquery()
    best = sa.select(found.c.id, sa.func.max(found.c.score).label("score")).group_by(found.c.id).subquery()
    source = table.join(best, best.c.id == table.c.id)
    for joined, on in joins:
        source = source.outerjoin(joined, on)
    return session.execute(
        sa.select(table.c.id, best.c.score, *columns).select_from(source).where(*where)
        .order_by(best.c.score.desc(), table.c.id.desc()).limit(limit)).mappings().all()


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
