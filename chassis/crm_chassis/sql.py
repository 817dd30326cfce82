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
