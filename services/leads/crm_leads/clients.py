"""Clients: contacts found by any of their identities, companies, the card, merging duplicates."""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict, InvalidInput, NotFound
from crm_chassis.records import archived_filter, bumped, changes
from crm_chassis.scope import changeable, visible, visible_ids
from crm_chassis.sql import contains
from crm_leads.domain.identity import InvalidPhone, normalize_email, normalize_phone
from crm_leads import erasure
from crm_leads.events import CompanyCategoryChangedV1, CompanyCreatedV1, ContactAttachedV1
from crm_leads.tables import (communications, companies, contact_deals, contact_identities, contacts, lead_stages,
                              leads)
from crm_leads.tables import company_categories as company_categories_table


def identities(phone: str | None = None, email: str | None = None, telegram: str | None = None,
               region: str = "RU") -> tuple[list[tuple[str, str]], str | None]:
    """Normalized (kind, value) keys, and the phone as written when it cannot be parsed."""
    keys, unparsed = [], None
    if phone:
        try:
            keys.append(("phone", normalize_phone(phone, region)))
        except InvalidPhone:
            unparsed = phone.strip()
    if email:
        keys.append(("email", normalize_email(email)))
    if telegram:
        keys.append(("telegram", str(telegram)))
    return sorted(keys), unparsed


@dataclass(frozen=True)
class Contact:
    """A contact as identity resolution left it: what intake needs, without reading the row again."""

    id: int
    name: str
    phone: str | None
    email: str | None
    phone_unparsed: str | None
    company_id: int | None
    responsible_id: int | None
    created: bool


def _contact(row, created: bool = False) -> Contact:
    return Contact(row["id"], row["name"], row["phone"], row["email"], row["phone_unparsed"], row["company_id"],
                   row["responsible_id"], created)


def contact_of(session, contact_id: int) -> Contact:
    return _contact(session.execute(sa.select(contacts).where(contacts.c.id == contact_id)).mappings().one())


def lock_identities(tx: Transaction, keys) -> None:
    """Until commit: sorted, so concurrent intakes and edits of one person lock in one order."""
    for kind, value in sorted(keys):
        tx.session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"{kind}:{value}"))))


def resolve_contact(tx: Transaction, name: str, keys: list[tuple[str, str]], phone_unparsed: str | None = None,
                    responsible_id: int | None = None) -> Contact:
    """Find the contact behind any of the keys (the oldest when they lead to several), or create one."""
    lock_identities(tx, keys)
    found = None
    if keys:  # the row stays locked until commit: a merge of this contact waits for the intake
        found = tx.session.execute(
            sa.select(contacts).join(contact_identities, contact_identities.c.contact_id == contacts.c.id)
            .where(sa.tuple_(contact_identities.c.kind, contact_identities.c.value).in_(keys))
            .order_by(contacts.c.id).limit(1).with_for_update(of=contacts)
        ).mappings().first()
    values = dict(keys)
    if found is None:
        row = {"name": name, "phone": values.get("phone"), "email": values.get("email"),
               "phone_unparsed": phone_unparsed, "responsible_id": responsible_id}
        row |= {"id": tx.session.execute(sa.insert(contacts).values(**row).returning(contacts.c.id)).scalar_one(),
                "company_id": None}
    else:
        fill = {column: values[column] for column in ("phone", "email") if column in values and found[column] is None}
        if fill:
            tx.session.execute(sa.update(contacts).where(contacts.c.id == found["id"])
                               .values(**fill, **bumped(contacts)))
        row = {**found, **fill}
    contact = _contact(row, created=found is None)
    if keys:
        tx.session.execute(pg_insert(contact_identities).values(
            [{"kind": kind, "value": value, "contact_id": contact.id} for kind, value in keys]
        ).on_conflict_do_nothing())
    return contact


def _summaries(session, contact_ids: list[int]) -> dict[int, dict]:
    """Contacts with their company and identities, in two queries however many are asked for."""
    rows = session.execute(
        sa.select(contacts, companies.c.name.label("company_name"), companies.c.category.label("company_category"))
        .outerjoin(companies, companies.c.id == contacts.c.company_id)
        .where(contacts.c.id.in_(contact_ids))
    ).mappings().all()
    found: dict[int, list] = {row["id"]: [] for row in rows}
    for contact_id, kind, value in session.execute(
            sa.select(contact_identities.c.contact_id, contact_identities.c.kind, contact_identities.c.value)
            .where(contact_identities.c.contact_id.in_(contact_ids))
            .order_by(contact_identities.c.contact_id, contact_identities.c.kind)):
        found[contact_id].append({"kind": kind, "value": value})
    return {row["id"]: {
        "id": row["id"], "name": row["name"], "phone": row["phone"], "email": row["email"],
        **reach(row, found[row["id"]]), "version": row["version"], "archived_at": iso(row["archived_at"]),
        "phone_unparsed": row["phone_unparsed"], "phone_flagged": row["phone_unparsed"] is not None,
        "responsible_id": row["responsible_id"], "merged_into_id": row["merged_into_id"],
        "company": {"id": row["company_id"], "name": row["company_name"], "category": row["company_category"]}
        if row["company_id"] else None,
        "identities": found[row["id"]],
    } for row in rows}


def reach(row, identities: list[dict]) -> dict:
    """Every phone and e-mail of a contact (the primary first) and its Telegram id."""
    def values(kind: str, primary: str | None) -> list[str]:
        rest = [item["value"] for item in identities if item["kind"] == kind and item["value"] != primary]
        return ([primary] if primary else []) + sorted(rest)

    telegram = [item["value"] for item in identities if item["kind"] == "telegram"]
    return {"phones": values("phone", row["phone"]), "emails": values("email", row["email"]),
            "telegram": telegram[0] if telegram else None}


def iso(moment) -> str | None:
    return moment and moment.isoformat()


def contact_summary(session, contact_id: int) -> dict:
    summary = _summaries(session, [contact_id]).get(contact_id)
    if summary is None:
        raise NotFound(f"contact {contact_id} not found", {"contact_id": contact_id})
    return summary


def communication_dict(row) -> dict:
    return {
        "id": row["id"], "channel": row["channel"], "direction": row["direction"], "status": row["status"],
        "category": row["category"], "occurred_at": row["occurred_at"].isoformat(),
        "duration_seconds": row["duration_seconds"], "recording_url": row["recording_url"],
        "from": row["from_address"], "to": row["to_address"], "subject": row["subject"], "body": row["body"],
        "lead_id": row["lead_id"], "deal_id": row["deal_id"], "company_id": row["company_id"],
    }


def seen_contacts(responsible_ids, contact_id=contacts.c.id, responsible_id=contacts.c.responsible_id):
    """A where-clause: the contacts whose responsible is among `responsible_ids` (None: all), or who are
    the client of a deal whose responsible is (the deal's responsible is a participant)."""
    if responsible_ids is None:
        return sa.true()
    ids = sorted(responsible_ids)
    through_deals = sa.select(contact_deals.c.contact_id).where(contact_deals.c.responsible_id.in_(ids))
    return sa.or_(responsible_id.in_(ids), contact_id.in_(through_deals))


def visible_contacts(contact_id=contacts.c.id, responsible_id=contacts.c.responsible_id):
    """A where-clause: the contacts the viewer may see (`seen_contacts` of the viewer's read scope)."""
    return seen_contacts(visible_ids(), contact_id, responsible_id)


def check_contact_scope(session, contact_ids: list[int], change: bool = False) -> None:
    """A contact out of the viewer's scope is not found, like one that does not exist; changing one
    takes being responsible within the write scope."""
    scope = changeable(contacts.c.responsible_id) if change else visible_contacts()
    reached = set(session.execute(sa.select(contacts.c.id).where(contacts.c.id.in_(contact_ids), scope)).scalars())
    for contact_id in contact_ids:
        if contact_id not in reached:
            raise NotFound(f"contact {contact_id} not found", {"contact_id": contact_id})


def client_card(session, contact_id: int, limit: int, offset: int) -> dict:
    """Everything an operator needs on one screen: who, which company, open leads, the history."""
    check_contact_scope(session, [contact_id])
    card = contact_summary(session, contact_id)
    if card["merged_into_id"]:
        return client_card(session, card["merged_into_id"], limit, offset) | {"redirected_from": contact_id}
    open_leads = session.execute(
        sa.select(leads.c.id, leads.c.title, leads.c.stage, lead_stages.c.name.label("stage_name"),
                  leads.c.responsible_id, leads.c.created_at)
        .join(lead_stages, lead_stages.c.code == leads.c.stage)
        .where(leads.c.contact_id == contact_id, lead_stages.c.kind == "open").order_by(leads.c.id.desc())
    ).mappings().all()
    history = session.execute(
        sa.select(communications).where(communications.c.contact_id == contact_id)
        .order_by(communications.c.occurred_at.desc(), communications.c.id.desc()).limit(limit).offset(offset)
    ).mappings().all()
    total = session.execute(sa.select(sa.func.count()).select_from(communications)
                            .where(communications.c.contact_id == contact_id)).scalar_one()
    return card | {
        "erasure": erasure.recorded(session, contact_id),
        "open_leads": [{**lead, "created_at": lead["created_at"].isoformat()} for lead in open_leads],
        "history": {"items": [communication_dict(row) for row in history], "total": total,
                    "limit": limit, "offset": offset},
    }


def list_contacts(session, q: str | None, archived: bool, limit: int, offset: int) -> dict:
    query = sa.select(contacts.c.id).where(contacts.c.merged_into_id.is_(None), archived_filter(contacts, archived),
                                           visible_contacts())
    if q:
        query = query.where(sa.or_(*(contains(column, q) for column in (contacts.c.name, contacts.c.phone,
                                                                         contacts.c.email))))
    total = session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    ids = session.execute(query.order_by(contacts.c.id.desc()).limit(limit).offset(offset)).scalars().all()
    summaries = _summaries(session, ids)
    return {"items": [summaries[contact_id] for contact_id in ids], "total": total}


def create_company(tx: Transaction, spec: dict) -> dict:
    row = tx.session.execute(sa.insert(companies).values(**spec).returning(*companies.c)).mappings().one()
    tx.emit("company.created.v1", CompanyCreatedV1().dump({**row, "company_id": row["id"]}))
    return company_dict(row)


def company_dict(row) -> dict:
    return {"id": row["id"], "name": row["name"], "category": row["category"],
            "responsible_id": row["responsible_id"], "inn": row["inn"], "address": row["address"],
            "version": row["version"], "archived_at": iso(row["archived_at"]),
            "created_at": row["created_at"].isoformat()}


def company_categories(session) -> list[dict]:
    return [{"category": r.category, "contact_interval_days": r.contact_interval_days}
            for r in session.execute(sa.select(company_categories_table).order_by(company_categories_table.c.category))]


def set_contact_interval(tx: Transaction, category: str, days: int) -> list[dict]:
    table = company_categories_table
    before = tx.session.execute(sa.select(table.c.contact_interval_days).where(table.c.category == category)
                                .with_for_update()).scalar()
    tx.session.execute(sa.update(table).where(table.c.category == category).values(contact_interval_days=days))
    if before is not None and before != days:
        tx.emit("company_category.changed.v1", CompanyCategoryChangedV1().dump({
            "company_category_id": category, "changes": changes(
                {"contact_interval_days": before}, {"contact_interval_days": days})}))
    return company_categories(tx.session)


def list_companies(session, category: str | None, responsible_id: int | None, archived: bool, limit: int,
                   offset: int) -> dict:
    query = sa.select(companies).where(archived_filter(companies, archived), visible(companies.c.responsible_id))
    if category:
        query = query.where(companies.c.category == category)
    if responsible_id:
        query = query.where(companies.c.responsible_id == responsible_id)
    total = session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(companies.c.name).limit(limit).offset(offset)).mappings()
    return {"items": [company_dict(row) for row in rows], "total": total}


def attach_to_company(tx: Transaction, contact_id: int, company_id: int) -> dict:
    check_contact_scope(tx.session, [contact_id], change=True)
    if tx.session.execute(sa.select(companies.c.id).where(companies.c.id == company_id)).first() is None:
        raise NotFound(f"company {company_id} not found", {"company_id": company_id})
    updated = tx.session.execute(sa.update(contacts).where(contacts.c.id == contact_id)
                                 .values(company_id=company_id, **bumped(contacts)).returning(contacts.c.id)).first()
    if updated is None:
        raise NotFound(f"contact {contact_id} not found", {"contact_id": contact_id})
    tx.session.execute(sa.update(communications).where(communications.c.contact_id == contact_id,
                                                       communications.c.company_id.is_(None))
                       .values(company_id=company_id))
    tx.emit("contact.attached.v1", ContactAttachedV1().dump({"contact_id": contact_id, "company_id": company_id}))
    return contact_summary(tx.session, contact_id)


def merge_contacts(tx: Transaction, keep_id: int, merge_id: int) -> dict:
    """Fold `merge_id` into `keep_id`: identities, leads and history move; nothing is lost."""
    if keep_id == merge_id:
        raise InvalidInput("invalid input", {"merge_id": ["must differ from keep_id"]})
    check_contact_scope(tx.session, [keep_id, merge_id], change=True)
    rows = {row["id"]: row for row in tx.session.execute(
        sa.select(contacts).where(contacts.c.id.in_([keep_id, merge_id])).order_by(contacts.c.id).with_for_update()
    ).mappings()}
    for contact_id in (keep_id, merge_id):
        if contact_id not in rows:
            raise NotFound(f"contact {contact_id} not found", {"contact_id": contact_id})
        if rows[contact_id]["merged_into_id"]:
            raise Conflict(f"contact {contact_id} is already merged", {"contact_id": contact_id})
    keep, merged = rows[keep_id], rows[merge_id]
    for table in (contact_identities, leads, communications):
        tx.session.execute(sa.update(table).where(table.c.contact_id == merge_id).values(contact_id=keep_id))
    fill = {column: merged[column] for column in ("phone", "email", "company_id", "responsible_id", "phone_unparsed")
            if keep[column] is None and merged[column] is not None}
    tx.session.execute(sa.update(contacts).where(contacts.c.id == merge_id)
                       .values(merged_into_id=keep_id, phone=None, email=None, **bumped(contacts)))
    tx.session.execute(sa.update(contacts).where(contacts.c.id == keep_id).values(**fill, **bumped(contacts)))
    tx.emit("contact.merged.v1", {"kept_id": keep_id, "merged_id": merge_id})
    return contact_summary(tx.session, keep_id)


def suggested_duplicates(session, limit: int) -> list[dict]:
    """Pairs that look like one person: the same full name, or the same name within one company."""
    a, b = contacts.alias("a"), contacts.alias("b")
    same_name = sa.func.lower(sa.func.btrim(a.c.name)) == sa.func.lower(sa.func.btrim(b.c.name))
    rows = session.execute(
        sa.select(a.c.id.label("first_id"), b.c.id.label("second_id"), a.c.name)
        .join(b, sa.and_(a.c.id < b.c.id, same_name))
        .where(a.c.merged_into_id.is_(None), b.c.merged_into_id.is_(None),
               visible_contacts(a.c.id, a.c.responsible_id), visible_contacts(b.c.id, b.c.responsible_id),
               sa.or_(a.c.company_id == b.c.company_id, sa.func.strpos(sa.func.btrim(a.c.name), " ") > 0))
        .order_by(a.c.id, b.c.id).limit(limit)
    ).mappings()
    return [dict(row) for row in rows]


def addresses(session, contact_ids: list[int]) -> list[dict]:
    """How to reach each contact (for campaigns to a segment): phone and e-mail, merges followed."""
    rows = session.execute(sa.select(contacts.c.id, contacts.c.phone, contacts.c.email, contacts.c.merged_into_id)
                           .where(contacts.c.id.in_(contact_ids)))
    found, merged = {}, {}
    for row in rows:
        if row.merged_into_id:
            merged[row.id] = row.merged_into_id
        else:
            found[row.id] = {"contact_id": row.id, "phone": row.phone, "email": row.email}
    if merged:
        for target in addresses(session, list(set(merged.values()))):
            found.setdefault(target["contact_id"], target)
    return sorted(found.values(), key=lambda item: item["contact_id"])
