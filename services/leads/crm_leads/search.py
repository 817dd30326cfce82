"""The one search over contacts, companies and leads.

Each reading of the query (domain/search.py) is a query of its own, on an index of its own: exact
identities (phone, e-mail) on contact_identities' key, the end of a phone on the reversed phone,
INN on companies.inn, names and titles on trigram indexes. A record found several ways keeps its
best score; each kind is ranked by score, newest first among equals, `limit` at most.

Each kind is found by one function taking `responsible_ids` (None: everyone's), so that who may see
which record is decided in one place per kind.
"""
import sqlalchemy as sa

from crm_chassis.sql import fold, matches, similarity
from crm_leads.domain.search import EXACT, NAME_WEIGHT, SearchQuery, read_query
from crm_leads.tables import companies, contact_identities, contacts, lead_stages, leads

KINDS = ("contact", "company", "lead")


def search(session, q: str, limit: int, types: list[str], region: str,
           responsible_ids: set[int] | None = None) -> dict:
    query = read_query(fold(q), region)
    found = {kind: FINDERS[kind](session, query, limit, responsible_ids) for kind in KINDS if kind in types}
    return {"results": [result for results in found.values() for result in results],
            "counts": {kind: len(results) for kind, results in found.items()}}


def _live(table, responsible_ids: set[int] | None) -> list:
    # archived_at arrives with the clients' archive (migration 0005_versions_archive); until then every row is live
    live = [table.c.archived_at.is_(None)] if "archived_at" in table.c else []
    if responsible_ids is not None:
        live.append(table.c.responsible_id.in_(responsible_ids))
    return live


def _ranked(session, table, branches: list, columns: list, where: list, limit: int, joins=()) -> list:
    """The rows the branches (id, score) found, each with its best score, best first; `joins` are
    (table, on) pairs the columns come from."""
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


def _by_name(table, column, query: SearchQuery):
    return (sa.select(table.c.id, (NAME_WEIGHT * similarity(column, query.text)).label("score"))
            .where(matches(column, query.text, query.words)))


def _result(kind: str, row, title: str, *subtitle) -> dict:
    return {"type": kind, "id": row["id"], "title": title, "subtitle": " · ".join(part for part in subtitle if part),
            "score": round(float(row["score"]), 3), "responsible_id": row["responsible_id"]}


def find_contacts(session, query: SearchQuery, limit: int, responsible_ids: set[int] | None = None) -> list[dict]:
    branches, keys = [], [("phone", phone) for phone in query.phones] + [("email", query.email)] * bool(query.email)
    identity = contact_identities.c
    if keys:
        branches.append(sa.select(identity.contact_id.label("id"), sa.literal(EXACT).label("score"))
                        .where(sa.tuple_(identity.kind, identity.value).in_(keys)))
    if query.phone_suffix:  # the end of a phone is the start of its reverse (index contact_identities_phone_suffix)
        branches.append(sa.select(identity.contact_id.label("id"), sa.literal(query.suffix_score).label("score"))
                        .where(identity.kind == "phone",
                               sa.func.reverse(identity.value).like(query.phone_suffix[::-1] + "%")))
    if query.words:
        branches.append(_by_name(contacts, contacts.c.name, query))
    rows = _ranked(session, contacts, branches,
                   [contacts.c.name, contacts.c.phone, contacts.c.email, contacts.c.responsible_id,
                    companies.c.name.label("company_name")],
                   [contacts.c.merged_into_id.is_(None), *_live(contacts, responsible_ids)], limit,
                   joins=[(companies, companies.c.id == contacts.c.company_id)])
    return [_result("contact", row, row["name"], row["phone"], row["email"], row["company_name"])
            | {"phone": row["phone"], "email": row["email"]} for row in rows]


def find_companies(session, query: SearchQuery, limit: int, responsible_ids: set[int] | None = None) -> list[dict]:
    branches = []
    inn = companies.c.get("inn")  # arrives with the clients' company fields (migration 0005_versions_archive)
    if query.inn and inn is not None:
        branches.append(sa.select(companies.c.id, sa.literal(EXACT).label("score")).where(inn == query.inn))
    if query.words:
        branches.append(_by_name(companies, companies.c.name, query))
    extra = [inn.label("inn")] if inn is not None else []
    rows = _ranked(session, companies, branches, [companies.c.name, companies.c.category, companies.c.responsible_id,
                                                  *extra], _live(companies, responsible_ids), limit)
    return [_result("company", row, row["name"], row.get("inn") and f"ИНН {row['inn']}",
                    f"категория {row['category']}") for row in rows]


def find_leads(session, query: SearchQuery, limit: int, responsible_ids: set[int] | None = None) -> list[dict]:
    branches = [_by_name(leads, leads.c.title, query)] if query.words else []
    rows = _ranked(session, leads, branches,
                   [leads.c.title, leads.c.responsible_id, contacts.c.name.label("contact_name"),
                    lead_stages.c.name.label("stage_name")],
                   _live(leads, responsible_ids), limit,
                   joins=[(contacts, contacts.c.id == leads.c.contact_id),
                          (lead_stages, lead_stages.c.code == leads.c.stage)])
    return [_result("lead", row, row["title"], row["contact_name"], row["stage_name"]) for row in rows]


FINDERS = {"contact": find_contacts, "company": find_companies, "lead": find_leads}
