"""The one search over contacts, companies and leads (the gateway merges it with deals' part).

Each reading of the query (domain/search.py) is a branch on an index of its own: exact identities
(phone, e-mail) on contact_identities' key, the end of a phone on its reverse
(contact_identities_phone_suffix), INN on companies_inn, names and titles on trigram indexes; when no
kind has a record holding the words, mistyped words are corrected against search_words and the search
runs again (crm_chassis.search). Each kind is found by one function taking
`responsible_ids` (None: everyone's), so that who may see which record is decided in one place per kind.
"""
import sqlalchemy as sa

from crm_chassis.search import by_words, closest_words, corrections, found, matches_first, ranked, result, visible
from crm_chassis.sql import fold, words_of
from crm_leads.clients import seen_contacts
from crm_leads.domain.search import EXACT, SearchQuery, corrected, read_query
from crm_leads.tables import companies, contact_identities, contacts, lead_stages, leads, search_words

KINDS = ("contact", "company", "lead")


def search(session, q: str, limit: int, types: list[str], region: str,
           responsible_ids: set[int] | None = None) -> dict:
    text = fold(q)
    query = read_query(text, words_of(text), region)
    with matches_first(session, query.words):
        found_by_kind = {kind: FINDERS[kind](session, query, limit, responsible_ids) for kind in KINDS if kind in types}
        fixed = corrections(query.words, closest_words(session, search_words, query.words)) \
            if query.words and not any(found_by_kind.values()) else None
        if fixed:
            query = corrected(query, *fixed)
            found_by_kind = {kind: FINDERS[kind](session, query, limit, responsible_ids) for kind in found_by_kind}
    return {"results": [line for lines in found_by_kind.values() for line in lines],
            "counts": {kind: len(lines) for kind, lines in found_by_kind.items()}}


def _named(table, column, query: SearchQuery, limit: int) -> list:
    """The branch for a name or title: every word in it."""
    return [by_words(table, column, query.words, query.name_score, limit)] if query.words else []


def find_contacts(session, query: SearchQuery, limit: int, responsible_ids: set[int] | None = None) -> list[dict]:
    identity = contact_identities.c
    by_identity = contacts.join(contact_identities, identity.contact_id == contacts.c.id)
    branches = _named(contacts, contacts.c.name, query, limit)
    keys = [("phone", phone) for phone in query.phones] + ([("email", query.email)] if query.email else [])
    if keys:
        branches.append(found(contacts, EXACT, sa.tuple_(identity.kind, identity.value).in_(keys), source=by_identity))
    if query.phone_suffix:  # the end of a phone is the start of its reverse
        branches.append(found(contacts, query.suffix_score, identity.kind == "phone",
                              sa.func.reverse(identity.value).like(query.phone_suffix[::-1] + "%"),
                              source=by_identity))
    rows = ranked(session, contacts, branches,
                  [contacts.c.name, contacts.c.phone, contacts.c.email, contacts.c.responsible_id,
                   companies.c.name.label("company_name")],
                  [contacts.c.merged_into_id.is_(None), *visible(contacts, None), seen_contacts(responsible_ids)],
                  limit,
                  joins=[(companies, companies.c.id == contacts.c.company_id)])
    return [result("contact", row, row["name"], row["phone"], row["email"], row["company_name"])
            | {"phone": row["phone"], "email": row["email"]} for row in rows]


def find_companies(session, query: SearchQuery, limit: int, responsible_ids: set[int] | None = None) -> list[dict]:
    branches = _named(companies, companies.c.name, query, limit)
    if query.inn:
        branches.append(found(companies, EXACT, companies.c.inn == query.inn))
    rows = ranked(session, companies, branches,
                  [companies.c.name, companies.c.category, companies.c.responsible_id, companies.c.inn],
                  visible(companies, responsible_ids), limit)
    return [result("company", row, row["name"], row["inn"] and f"ИНН {row['inn']}", f"категория {row['category']}")
            for row in rows]


def find_leads(session, query: SearchQuery, limit: int, responsible_ids: set[int] | None = None) -> list[dict]:
    branches = _named(leads, leads.c.title, query, limit)
    rows = ranked(session, leads, branches,
                  [leads.c.title, leads.c.responsible_id, contacts.c.name.label("contact_name"),
                   lead_stages.c.name.label("stage_name")],
                  visible(leads, responsible_ids), limit,
                  joins=[(contacts, contacts.c.id == leads.c.contact_id),
                         (lead_stages, lead_stages.c.code == leads.c.stage)])
    return [result("lead", row, row["title"], row["contact_name"], row["stage_name"]) for row in rows]


FINDERS = {"contact": find_contacts, "company": find_companies, "lead": find_leads}
