"""What a person typed into the one search box, read every way it can mean something.

`8 916 123-45-67`, `+7 (916) 1234567` and `79161234567` are one phone (E.164, as identities keep
it); any run of 4 to 10 digits may be the end of a phone (`4567`); `ivan@Mail.ru` is an e-mail;
10 or 12 digits may be an INN; words are names and titles. The text comes folded (lower case, `ё`
as `е`: `crm_chassis.sql.fold`, the form the search indexes hold). One query may mean several things at once (`7707083893` is an INN and the end of a phone): each
reading is searched and the ranking sorts them out.
"""
import re
from dataclasses import dataclass

from crm_leads.domain.identity import DEFAULT_REGION, InvalidPhone, normalize_email, normalize_phone

MIN_SUFFIX, MAX_SUFFIX = 4, 10
MIN_WORD = 3  # a trigram index narrows only on words of three letters or more
PHONE_PUNCTUATION = re.compile(r"^[\d\s()+\-.]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WORD = re.compile(r"\w+")

# How sure each reading is, so that one list ranks them: an exact phone, e-mail or INN is the person
# or company; the end of a phone is likelier the longer it is; a name holding every word comes next;
# a name only like the text (a typo) scores its trigram similarity, less.
EXACT = 1.0
SUFFIX_BASE, SUFFIX_PER_DIGIT = 0.6, 0.03
NAME_SCORE = 0.85
LIKENESS_WEIGHT = 0.8


@dataclass(frozen=True)
class SearchQuery:
    text: str  # folded, for names and titles
    words: tuple[str, ...]  # the folded words long enough to narrow by
    phones: tuple[str, ...] = ()  # E.164
    phone_suffix: str | None = None  # the last digits, 4 to 10
    email: str | None = None
    inn: str | None = None
    typos: bool = False  # also names only like the text: asked for when nothing holds the words

    @property
    def suffix_score(self) -> float:
        return SUFFIX_BASE + SUFFIX_PER_DIGIT * len(self.phone_suffix or "")


def read_query(text: str, region: str = DEFAULT_REGION) -> SearchQuery:
    words = tuple(word for word in WORD.findall(text) if len(word) >= MIN_WORD and not word.isdigit())
    if EMAIL.match(text):
        return SearchQuery(text, (), email=normalize_email(text))
    if not PHONE_PUNCTUATION.match(text):
        return SearchQuery(text, words)
    digits = re.sub(r"\D", "", text)
    return SearchQuery(text, (), phones=_phones(text, region), phone_suffix=_suffix(digits),
                       inn=digits if len(digits) in (10, 12) and digits == text else None)


def _phones(text: str, region: str) -> tuple[str, ...]:
    try:
        return (normalize_phone(text, region),)
    except InvalidPhone:
        return ()


def _suffix(digits: str) -> str | None:
    return digits[-MAX_SUFFIX:] if len(digits) >= MIN_SUFFIX else None
