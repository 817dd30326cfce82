"""What the one search box means to deals: a deal number (`#123`, `№123`, `123`) or words of a title.

The text comes folded (lower case, `ё` as `е`: `crm_chassis.sql.fold`, the form the title index holds).
A number is both a deal number and, to leads, the end of a phone: each side scores its own reading.
"""
import re
from dataclasses import dataclass, replace

NUMBER = re.compile(r"^[#№]?\s*(\d{1,18})$")

# As leads scores names: the number exactly, then a title holding every word, then one holding the words
# a mistyped query was corrected to, by how like them it was.
EXACT = 1.0
TITLE_SCORE = 0.85
LIKENESS_WEIGHT = 0.8


@dataclass(frozen=True)
class DealSearch:
    words: tuple[str, ...]
    number: int | None = None
    title_score: float = TITLE_SCORE


def corrected(query: DealSearch, words: tuple[str, ...], likeness: float) -> DealSearch:
    """The query with the words the titles hold in place of the mistyped ones, ranked below exact words."""
    return replace(query, words=words, title_score=LIKENESS_WEIGHT * likeness)


def read_query(text: str, words: tuple[str, ...]) -> DealSearch:
    """`text` folded, `words` its words long enough to search titles by (crm_chassis.sql.words_of)."""
    number = NUMBER.match(text)
    return DealSearch(words, int(number.group(1)) if number else None)
