"""Editing and archiving contacts and companies: load, check the version, decide, save, emit.

An edit of a contact's phones or e-mails moves its identities: the old rows go, the new ones
come, so a later call or form from the new number finds this contact. A number or address
that already leads to another contact is refused with 409 naming it (merge them instead).
"""
import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict, InvalidInput, NotFound
from crm_chassis.records import changes, locked, save, set_archived
from crm_leads.clients import company_dict, contact_summary, lock_identities
from crm_leads.domain.records import InvalidRecord, identity_keys, wanted_reach
from crm_leads.tables import communications, companies, contact_deals, contact_identities, contacts, lead_stages, leads

CONTACT_FIELDS = ("name", "company_id")
COMPANY_FIELDS = ("name", "inn", "category", "responsible_id", "address")


def edit_contact(tx: Transaction, contact_id: int, expected: int | None, edit: dict, region: str) -> dict:
    row = locked(tx, contacts, "contact", contact_id, expected)
    if row["merged_into_id"]:
        raise Conflict(f"contact {contact_id} was merged into {row['merged_into_id']}",
                       {"merged_into_id": row["merged_into_id"]})
    current = contact_summary(tx.session, contact_id)
    try:
        reach = wanted_reach(current, edit, region)
    except InvalidRecord as invalid:
        raise InvalidInput("invalid input", invalid.details) from None
    if edit.get("company_id") and tx.session.execute(
            sa.select(companies.c.id).where(companies.c.id == edit["company_id"])).first() is None:
        raise InvalidInput("invalid input", {"company_id": [f"no company {edit['company_id']}"]})
    wanted = {**{field: edit[field] for field in CONTACT_FIELDS if field in edit}, **reach,
              "phone": reach["phones"][0] if reach["phones"] else None,
              "email": reach["emails"][0] if reach["emails"] else None}
    changed = changes({**current, "company_id": current["company"] and current["company"]["id"]}, wanted)
    if not changed:
        return current
    _move_identities(tx, contact_id, identity_keys(current), identity_keys(reach))
    values = {field: wanted[field] for field in (*CONTACT_FIELDS, "phone", "email") if field in wanted}
    if "phones" in changed:
        values["phone_unparsed"] = None  # a number as written is replaced by the ones given now
    if changed.get("company_id", {}).get("to"):  # its history so far counts for the company too, as on attach
        tx.session.execute(sa.update(communications).where(communications.c.contact_id == contact_id,
                                                           communications.c.company_id.is_(None))
                           .values(company_id=wanted["company_id"]))
    save(tx, contacts, "contact", row, changed, **values)
    return contact_summary(tx.session, contact_id)


def _move_identities(tx: Transaction, contact_id: int, before: set, after: set) -> None:
    gone, new = before - after, after - before
    lock_identities(tx, new)
    taken = tx.session.execute(
        sa.select(contact_identities.c.kind, contact_identities.c.value, contact_identities.c.contact_id)
        .where(sa.tuple_(contact_identities.c.kind, contact_identities.c.value).in_(new))).all() if new else []
    if taken:
        problems: dict[str, list] = {}
        for kind, value, other in taken:
            problems.setdefault(f"{kind}s" if kind != "telegram" else kind, []).append(
                f"{value} is contact {other}'s; merge the two contacts instead (POST /contacts/merge)")
        raise Conflict("another contact is reached this way", {**problems,
                                                               "contact_ids": sorted({row[2] for row in taken})})
    if gone:
        tx.session.execute(sa.delete(contact_identities).where(
            contact_identities.c.contact_id == contact_id,
            sa.tuple_(contact_identities.c.kind, contact_identities.c.value).in_(gone)))
    if new:
        tx.session.execute(sa.insert(contact_identities).values(
            [{"kind": kind, "value": value, "contact_id": contact_id} for kind, value in sorted(new)]))


def get_company(session, company_id: int) -> dict:
    row = session.execute(sa.select(companies).where(companies.c.id == company_id)).mappings().first()
    if row is None:
        raise NotFound(f"company {company_id} not found", {"company_id": company_id})
    return company_dict(row)


def edit_company(tx: Transaction, company_id: int, expected: int | None, edit: dict) -> dict:
    """One call changes a company's category or responsible: reports follow its change event."""
    row = locked(tx, companies, "company", company_id, expected)
    wanted = {field: edit[field] for field in COMPANY_FIELDS if field in edit}
    changed = changes(row, wanted)
    save(tx, companies, "company", row, changed, **{field: change["to"] for field, change in changed.items()})
    return get_company(tx.session, company_id)


def _open_leads(session, *where) -> list[int]:
    return list(session.execute(
        sa.select(leads.c.id).join(lead_stages, lead_stages.c.code == leads.c.stage)
        .where(lead_stages.c.kind == "open", leads.c.archived_at.is_(None), sa.or_(*where))
        .order_by(leads.c.id)).scalars())


def _open_deals(session, contact_ids) -> list[int]:
    return list(session.execute(sa.select(contact_deals.c.deal_id).where(
        contact_deals.c.open, contact_deals.c.contact_id.in_(contact_ids)).order_by(contact_deals.c.deal_id)).scalars())


def _named(**work: list[int]) -> dict:
    return {name: ids for name, ids in work.items() if ids}


def archive_contact(tx: Transaction, contact_id: int, archived: bool, expected: int | None) -> dict:
    def depending() -> dict:
        return _named(open_leads=_open_leads(tx.session, leads.c.contact_id == contact_id),
                      open_deals=_open_deals(tx.session, [contact_id]))

    set_archived(tx, contacts, "contact", contact_id, archived, expected, depending)
    return contact_summary(tx.session, contact_id)


def archive_company(tx: Transaction, company_id: int, archived: bool, expected: int | None) -> dict:
    def depending() -> dict:
        members = sa.select(contacts.c.id).where(contacts.c.company_id == company_id)
        return _named(open_leads=_open_leads(tx.session, leads.c.company_id == company_id,
                                             leads.c.contact_id.in_(members)),
                      open_deals=_open_deals(tx.session, members))

    set_archived(tx, companies, "company", company_id, archived, expected, depending)
    return get_company(tx.session, company_id)
