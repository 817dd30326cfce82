"""What the one search box means to deals: a deal number (`#123`, `№123`, `123`) or words of a title.

The text comes folded (lower case, `ё` as `е`: `crm_chassis.sql.fold`, the form the title index holds).
A number is both a deal number and, to leads, the end of a phone: each side scores its own reading.
"""
import re
from dataclasses import dataclass

NUMBER = re.compile(r"^[#№]?\s*(\d{1,18})$")
MIN_WORD = 3  # a trigram index narrows only on words of three letters or more
WORD = re.compile(r"\w+")

# As leads scores names: the number exactly, then a title holding every word, then one only like the text.
EXACT = 1.0
TITLE_SCORE = 0.85
LIKENESS_WEIGHT = 0.8  # times the trigram word similarity


@dataclass(frozen=True)
class DealSearch:
    text: str
    words: tuple[str, ...]
    number: int | None = None
    typos: bool = False  # also titles only like the text: asked for when none holds the words


def read_query(text: str) -> DealSearch:
    number = NUMBER.match(text)
    return DealSearch(text, tuple(word for word in WORD.findall(text) if len(word) >= MIN_WORD and not word.isdigit()),
                      int(number.group(1)) if number else None)
