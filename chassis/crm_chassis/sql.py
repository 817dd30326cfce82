"""Text matching in queries, written once: literal substring filters and the folding search indexes use.

`contains(column, text)` is every list's `q` filter: case-insensitive, and `%`, `_` and `\\` in what a
person typed match themselves (LIKE ... ESCAPE '/', the escape character itself escaped too).

`folded(column)` is the form text search compares and indexes: lower case, `ё` read as `е`; `fold(text)`
is the same on the Python side, and `words_of(folded text)` the words a trigram index narrows by (three
letters or more, not all digits). An index meant for search is built on exactly `folded(column)`
(`translate(lower(column), 'ё', 'е')`), or the planner cannot use it.
"""
import re

import sqlalchemy as sa

MIN_WORD = 3  # a trigram index narrows only on words of three letters or more
WORD = re.compile(r"\w+")


def contains(column, text: str):
    return column.icontains(text, autoescape=True)


def fold(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def words_of(text: str) -> tuple[str, ...]:
    return tuple(word for word in WORD.findall(text) if len(word) >= MIN_WORD and not word.isdigit())


def folded(column):
    return sa.func.translate(sa.func.lower(column), "ё", "е")
