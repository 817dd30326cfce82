"""Intake orchestration: validate, resolve the contact, create the lead, emit its event."""
import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import InvalidInput, NotFound
from crm_leads.domain.identity import InvalidPhone, identity_keys, normalize_email, normalize_phone
from crm_leads.events import LeadCreatedV1
from crm_leads.schemas import LeadSchema
from crm_leads.tables import contacts, leads


def normalized_identity(form: dict, region: str) -> tuple[str | None, str | None]:
    if not form.get("phone") and not form.get("email"):
        raise InvalidInput("invalid input", {"phone": ["a phone or an e-mail is required"]})
    phone = None
    if form.get("phone"):
        try:
            phone = normalize_phone(form["phone"], region)
        except InvalidPhone as exc:
            raise InvalidInput("invalid input", {"phone": [str(exc)]}) from None
    email = normalize_email(form["email"]) if form.get("email") else None
    return phone, email


def resolve_contact(tx: Transaction, name: str, phone: str | None, email: str | None) -> tuple[int, bool]:
    """Find the contact by phone or e-mail, or create it; returns (id, created)."""
    for key in identity_keys(phone, email):  # serializes concurrent intake of one person
        tx.session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(key))))
    matches = [contacts.c.phone == phone if phone else None, contacts.c.email == email if email else None]
    found = tx.session.execute(
        sa.select(contacts).where(sa.or_(*[m for m in matches if m is not None])).order_by(contacts.c.id)
    ).mappings().first()
    if found:
        fill = {k: v for k, v in (("phone", phone), ("email", email)) if v and not found[k]}
        if fill:
            tx.session.execute(sa.update(contacts).where(contacts.c.id == found["id"]).values(**fill))
        return found["id"], False
    contact_id = tx.session.execute(
        sa.insert(contacts).values(name=name, phone=phone, email=email).returning(contacts.c.id)
    ).scalar_one()
    return contact_id, True


def intake_web_form(tx: Transaction, form: dict, region: str) -> dict:
    phone, email = normalized_identity(form, region)
    if form.get("submission_id"):
        existing = tx.session.execute(
            sa.select(leads.c.id).where(leads.c.source == form["site"], leads.c.external_id == form["submission_id"])
        ).scalar_one_or_none()
        if existing is not None:  # the site retried a submission we already hold
            return get_lead(tx.session, existing) | {"duplicate": True}
    contact_id, new_contact = resolve_contact(tx, form["name"], phone, email)
    title = f"Заявка с сайта {form['site']}: {form['name']}"
    if form.get("request_type"):
        title = f"{title} ({form['request_type']})"
    row = tx.session.execute(
        sa.insert(leads)
        .values(contact_id=contact_id, source=form["site"], external_id=form.get("submission_id"),
                title=title, message=form.get("message") or "")
        .returning(leads.c.id, leads.c.created_at)
    ).one()
    tx.emit("lead.created.v1", LeadCreatedV1().dump({
        "lead_id": row.id, "contact_id": contact_id, "source": form["site"], "channel": "web_form",
        "title": title, "created_at": row.created_at, "new_contact": new_contact,
    }))
    return get_lead(tx.session, row.id) | {"duplicate": False}


def _lead_query():
    return sa.select(
        leads, contacts.c.name.label("contact_name"), contacts.c.phone, contacts.c.email
    ).join(contacts, contacts.c.id == leads.c.contact_id)


def _dump(row) -> dict:
    return LeadSchema().dump({
        **row, "contact": {"id": row["contact_id"], "name": row["contact_name"],
                           "phone": row["phone"], "email": row["email"]},
    })


def get_lead(session, lead_id: int) -> dict:
    row = session.execute(_lead_query().where(leads.c.id == lead_id)).mappings().first()
    if row is None:
        raise NotFound(f"lead {lead_id} not found", {"lead_id": lead_id})
    return _dump(row)


def list_leads(session, source: str | None, limit: int, offset: int) -> dict:
    query = _lead_query().order_by(leads.c.id.desc()).limit(limit).offset(offset)
    count = sa.select(sa.func.count()).select_from(leads)
    if source:
        query = query.where(leads.c.source == source)
        count = count.where(leads.c.source == source)
    return {
        "items": [_dump(row) for row in session.execute(query).mappings()],
        "total": session.execute(count).scalar_one(),
    }
