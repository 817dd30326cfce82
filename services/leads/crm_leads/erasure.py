"""Erasing a contact's personal data on request (152-FZ, GDPR).

The contact keeps its row, named «Данные удалены», without phones, e-mails or identities (a
later message from that number is a new, unknown person); its communications and leads keep
their rows, times, channels, categories and stages, so every count stays, but lose bodies,
addresses, recordings and names. Then `contact.erased.v1` tells every other service, carrying
the identifiers as transient data (see `crm_chassis.erasure`).
"""
import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.erasure import MASK, Erasure, mask_table, scrub_plumbing
from crm_chassis.errors import NotFound
from crm_chassis.records import bumped
from crm_leads.domain.erasure import ERASED_NAME, personal_data
from crm_leads.events import ContactErasedV1
from crm_leads.tables import communications, contact_deals, contact_erasures, contact_identities, contacts, leads


def erase_contact(tx: Transaction, contact_id: int, reason: str | None, erased_by: int | None) -> dict:
    """Erase once; asked again, answer what the first erasure did."""
    if tx.session.execute(sa.select(contacts.c.id).where(contacts.c.id == contact_id).with_for_update()).first() is None:
        raise NotFound(f"contact {contact_id} not found", {"contact_id": contact_id})
    done = recorded(tx.session, contact_id)
    if done is not None:
        return done
    people = tx.session.execute(
        sa.select(contacts).where(sa.or_(contacts.c.id == contact_id, contacts.c.merged_into_id == contact_id))
    ).mappings().all()
    contact_ids = [person["id"] for person in people]
    identities = tx.session.execute(
        sa.select(contact_identities.c.kind, contact_identities.c.value)
        .where(contact_identities.c.contact_id.in_(contact_ids))).all()
    personal = personal_data([dict(person) for person in people], [tuple(row) for row in identities])
    deal_ids = sorted(tx.session.execute(
        sa.select(contact_deals.c.deal_id).where(contact_deals.c.contact_id.in_(contact_ids))).scalars())
    erasure = Erasure(tuple(contact_ids), tuple(deal_ids), personal)
    _mask_rows(tx.session, erasure)
    scrub_plumbing(tx.session, erasure)
    tx.session.execute(sa.insert(contact_erasures).values(contact_id=contact_id, reason=reason, erased_by=erased_by))
    answer = recorded(tx.session, contact_id)
    event = {**answer, "merged_ids": [i for i in contact_ids if i != contact_id], "deal_ids": deal_ids,
             "personal": {"names": list(personal.names), "phones": list(personal.phones),
                          "emails": list(personal.emails), "telegram_ids": list(personal.telegram_ids)}}
    tx.emit("contact.erased.v1", ContactErasedV1().dump(event), transient=("personal",))
    return answer


def recorded(session, contact_id: int) -> dict | None:
    """The erasure of a contact as recorded (when, why, by whom), or None."""
    row = session.execute(sa.select(contact_erasures).where(contact_erasures.c.contact_id == contact_id)).mappings().first()
    if row is None:
        return None
    return {"contact_id": contact_id, "erased_at": row["erased_at"].isoformat(), "reason": row["reason"],
            "erased_by": row["erased_by"]}


def _mask_rows(session, erasure: Erasure) -> None:
    contact_ids = erasure.contact_ids
    session.execute(sa.delete(contact_identities).where(contact_identities.c.contact_id.in_(contact_ids)))
    session.execute(sa.update(contacts).where(contacts.c.id.in_(contact_ids))
                    .values(name=ERASED_NAME, phone=None, email=None, phone_unparsed=None, **bumped(contacts)))
    session.execute(sa.update(communications).where(communications.c.contact_id.in_(contact_ids)).values(
        from_address=None, to_address=None, recording_url=None,
        subject=sa.case((communications.c.subject.is_(None), None), else_=MASK),
        body=sa.case((communications.c.body.is_(None), None), else_=MASK)))
    session.execute(sa.update(leads).where(leads.c.contact_id.in_(contact_ids)).values(
        message=sa.case((leads.c.message == "", ""), else_=MASK)))
    for table in (leads, communications):
        mask_table(session, table, erasure)
