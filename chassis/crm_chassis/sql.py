"""Text matching in queries, written once: literal substring filters and the folding search indexes use.

`contains(column, text)` is every list's `q` filter: case-insensitive, and `%`, `_` and `\\` in what a
person typed match themselves (LIKE ... ESCAPE '/', the escape character itself escaped too).

`folded(column)` is the form text search compares and indexes: lower case, `ё` read as `е`; `fold(text)`
is the same on the Python side. An index meant for search is built on exactly `folded(column)`
(`translate(lower(column), 'ё', 'е')`), or the planner cannot use it.
"""
import sqlalchemy as sa


def contains(column, text: str):
    return column.icontains(text, autoescape=True)


def fold(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def folded(column):
    return sa.func.translate(sa.func.lower(column), "ё", "е")


def matches(column, text: str, words):
    """The folded column holds every word, or something close to the text (a typo, a word cut short);
    a trigram index on `folded(column)` answers both (pg_trgm: LIKE and the `<%` word-similarity operator).
    `words` must not be empty: a filter of no words would match every row."""
    target = folded(column)
    return sa.or_(sa.and_(*(target.contains(word, autoescape=True) for word in words)),
                  sa.literal(text).op("<%")(target))


def similarity(column, text: str):
    """How close the text comes to some part of the folded column, 0..1 (pg_trgm word_similarity)."""
    return sa.func.word_similarity(text, folded(column))
