"""The one search over contacts, companies and leads (the gateway merges it with deals' part).

Each reading of the query (domain/search.py) is a branch on an index of its own: exact identities
(phone, e-mail) on contact_identities' key, the end of a phone on its reverse
(contact_identities_phone_suffix), INN on companies_inn, names and titles on trigram indexes
(crm_chassis.search). Each kind is found by one function taking `responsible_ids` (None: everyone's),
so that who may see which record is decided in one place per kind.
"""
import sqlalchemy as sa

from crm_chassis.search import by_words, exact, ranked, result, visible
from crm_chassis.sql import fold
from crm_leads.domain.search import EXACT, NAME_WEIGHT, SearchQuery, read_query
from crm_leads.tables import companies, contact_identities, contacts, lead_stages, leads

KINDS = ("contact", "company", "lead")


def search(session, q: str, limit: int, types: list[str], region: str,
           responsible_ids: set[int] | None = None) -> dict:
    query = read_query(fold(q), region)
    found = {kind: FINDERS[kind](session, query, limit, responsible_ids) for kind in KINDS if kind in types}
    return {"results": [line for lines in found.values() for line in lines],
            "counts": {kind: len(lines) for kind, lines in found.items()}}


def find_contacts(session, query: SearchQuery, limit: int, responsible_ids: set[int] | None = None) -> list[dict]:
    identity, branches = contact_identities.c, []
    keys = [("phone", phone) for phone in query.phones] + ([("email", query.email)] if query.email else [])
    if keys:
        branches.append(sa.select(identity.contact_id.label("id"), sa.literal(EXACT).label("score"))
                        .where(sa.tuple_(identity.kind, identity.value).in_(keys)))
    if query.phone_suffix:  # the end of a phone is the start of its reverse
        branches.append(sa.select(identity.contact_id.label("id"), sa.literal(query.suffix_score).label("score"))
                        .where(identity.kind == "phone",
                               sa.func.reverse(identity.value).like(query.phone_suffix[::-1] + "%")))
    if query.words:
        branches.append(by_words(contacts, contacts.c.name, query.text, query.words, NAME_WEIGHT))
    rows = ranked(session, contacts, branches,
                  [contacts.c.name, contacts.c.phone, contacts.c.email, contacts.c.responsible_id,
                   companies.c.name.label("company_name")],
                  [contacts.c.merged_into_id.is_(None), *visible(contacts, responsible_ids)], limit,
                  joins=[(companies, companies.c.id == contacts.c.company_id)])
    return [result("contact", row, row["name"], row["phone"], row["email"], row["company_name"])
            | {"phone": row["phone"], "email": row["email"]} for row in rows]


def find_companies(session, query: SearchQuery, limit: int, responsible_ids: set[int] | None = None) -> list[dict]:
    inn = companies.c.get("inn")  # arrives with the clients' company fields (their migration 0005)
    branches = [exact(companies, inn, query.inn, EXACT)] if query.inn and inn is not None else []
    if query.words:
        branches.append(by_words(companies, companies.c.name, query.text, query.words, NAME_WEIGHT))
    rows = ranked(session, companies, branches,
                  [companies.c.name, companies.c.category, companies.c.responsible_id,
                   *([inn.label("inn")] if inn is not None else [])],
                  visible(companies, responsible_ids), limit)
    return [result("company", row, row["name"], row.get("inn") and f"ИНН {row['inn']}", f"категория {row['category']}")
            for row in rows]


def find_leads(session, query: SearchQuery, limit: int, responsible_ids: set[int] | None = None) -> list[dict]:
    branches = [by_words(leads, leads.c.title, query.text, query.words, NAME_WEIGHT)] if query.words else []
    rows = ranked(session, leads, branches,
                  [leads.c.title, leads.c.responsible_id, contacts.c.name.label("contact_name"),
                   lead_stages.c.name.label("stage_name")],
                  visible(leads, responsible_ids), limit,
                  joins=[(contacts, contacts.c.id == leads.c.contact_id),
                         (lead_stages, lead_stages.c.code == leads.c.stage)])
    return [result("lead", row, row["title"], row["contact_name"], row["stage_name"]) for row in rows]


FINDERS = {"contact": find_contacts, "company": find_companies, "lead": find_leads}
