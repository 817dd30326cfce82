"""What a person typed into the one search box, read every way it can mean something.

`8 916 123-45-67`, `+7 (916) 1234567` and `79161234567` are one phone (E.164, as identities keep
it); any run of 4 to 10 digits may be the end of a phone (`4567`); `ivan@Mail.ru` is an e-mail;
10 or 12 digits may be an INN; words are names and titles. The text comes folded (lower case, `ё`
as `е`: `crm_chassis.sql.fold`, the form the search indexes hold). One query may mean several things at once (`7707083893` is an INN and the end of a phone): each
reading is searched and the ranking sorts them out.
"""
import re
from dataclasses import dataclass, replace

from crm_chassis.phones import DEFAULT_REGION, InvalidPhone, normalize_phone
from crm_leads.domain.identity import normalize_email

MIN_SUFFIX, MAX_SUFFIX = 4, 10
PHONE_PUNCTUATION = re.compile(r"^[\d\s()+\-.]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# How sure each reading is, so that one list ranks them: an exact phone, e-mail or INN is the person
# or company; the end of a phone is likelier the longer it is; a name holding every word comes next;
# a name holding the words a mistyped query was corrected to scores less, by how like them it was.
EXACT = 1.0
SUFFIX_BASE, SUFFIX_PER_DIGIT = 0.6, 0.03
NAME_SCORE = 0.85
LIKENESS_WEIGHT = 0.8


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...]  # the folded words long enough to narrow by
    phones: tuple[str, ...] = ()  # E.164
    phone_suffix: str | None = None  # the last digits, 4 to 10
    email: str | None = None
    inn: str | None = None
    name_score: float = NAME_SCORE

    @property
    def suffix_score(self) -> float:
        return SUFFIX_BASE + SUFFIX_PER_DIGIT * len(self.phone_suffix or "")


def corrected(query: SearchQuery, words: tuple[str, ...], likeness: float) -> SearchQuery:
    """The query with the words the records hold in place of the mistyped ones, ranked below exact words."""
    return replace(query, words=words, name_score=LIKENESS_WEIGHT * likeness)


def read_query(text: str, words: tuple[str, ...], region: str = DEFAULT_REGION) -> SearchQuery:
    """`text` folded, `words` its words long enough to search names by (crm_chassis.sql.words_of)."""
    if EMAIL.match(text):
        return SearchQuery((), email=normalize_email(text))
    if not PHONE_PUNCTUATION.match(text):
        return SearchQuery(words)
    digits = re.sub(r"\D", "", text)
    return SearchQuery((), phones=_phones(text, region), phone_suffix=_suffix(digits),
                       inn=digits if len(digits) in (10, 12) and digits == text else None)


def _phones(text: str, region: str) -> tuple[str, ...]:
    try:
        return (normalize_phone(text, region),)
    except InvalidPhone:
        return ()


def _suffix(digits: str) -> str | None:
    return digits[-MAX_SUFFIX:] if len(digits) >= MIN_SUFFIX else None
