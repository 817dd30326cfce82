"""Intake from every channel: one contact per person, every call and message in its history,
sorted into a category; new requests from unknown people become leads."""
from datetime import UTC, datetime

import sqlalchemy as sa

from crm_chassis import records
from crm_chassis.db import Transaction
from crm_chassis.errors import InvalidInput
from crm_leads import clients, pipeline
from crm_leads.domain.calls import FINAL, UnknownStatus, communication_status, merged_status
from crm_leads.domain.sorting import Incoming, Rule, categorize, creates_lead
from crm_leads.events import BlockedNumberAddedV1, CommunicationRecordedV1, IntakeRulesReplacedV1
from crm_leads.tables import (
    blocked_numbers, category_rules, communications, contact_deals, lead_stages, leads,
)

CHANNEL_NAMES = {"call": "Звонок", "sms": "SMS", "whatsapp": "WhatsApp", "telegram": "Telegram", "email": "Письмо"}


def intake_web_form(tx: Transaction, form: dict, region: str) -> dict:
    if not form.get("phone") and not form.get("email"):
        raise InvalidInput("invalid input", {"phone": ["a phone or an e-mail is required"]})
    if form.get("submission_id"):
        held = pipeline.held_lead(tx.session, form["site"], form["submission_id"])
        if held is not None:  # the site retried a submission we already hold
            return held | {"duplicate": True}
    keys, unparsed = clients.identities(form.get("phone"), form.get("email"), region=region)
    contact = clients.resolve_contact(tx, form["name"], keys, unparsed)
    title = f"Заявка с сайта {form['site']}: {form['name']}"
    if form.get("request_type"):
        title = f"{title} ({form['request_type']})"
    lead = pipeline.create_lead(
        tx, contact=contact, source=form["site"], channel="web_form", title=title,
        message=form.get("message") or "", external_id=form.get("submission_id"), new_contact=contact.created,
        values={"request_type": form["request_type"]} if form.get("request_type") else None,
    )
    communication = _log(tx, contact, lead_id=lead["id"], channel="web_form", direction="in",
                         status="completed", category="new_request",
                         external_id=f"{form['site']}:{form['submission_id']}" if form.get("submission_id") else None,
                         from_address=form.get("phone") or form.get("email"), to_address=form["site"],
                         body=form.get("message") or "", occurred_at=datetime.now(UTC))
    # a contact with no responsible takes the new lead's (pipeline.create_lead)
    _publish(tx, communication, contact.name, contact.responsible_id or lead["responsible_id"])
    return lead | {"duplicate": False}


def record(tx: Transaction, item: dict, region: str) -> dict:
    """A call event or a message from a provider; a provider's retry changes nothing twice."""
    try:
        item = {**item, "status": communication_status(item["channel"], item["provider_status"], item["direction"],
                                                       item.get("duration_seconds"))}
    except UnknownStatus as exc:
        raise InvalidInput("invalid input", {"status": [str(exc)]}) from None
    existing = tx.session.execute(
        sa.select(communications).where(communications.c.channel == item["channel"],
                                        communications.c.external_id == item["external_id"]).with_for_update()
    ).mappings().first()
    if existing is not None:
        return _update(tx, existing, item, region)
    counterpart = item["from"] if item["direction"] == "in" else item["to"]
    keys, unparsed = clients.identities(
        phone=counterpart if item["channel"] in ("call", "sms", "whatsapp") else None,
        email=counterpart if item["channel"] == "email" else None,
        telegram=counterpart if item["channel"] == "telegram" else None,
        region=region,
    )
    extra = clients.identities(phone=item.get("phone"), region=region)[0]  # a phone shared in a chat
    name = item.get("from_name") or unparsed or counterpart
    contact = clients.resolve_contact(tx, name, sorted(set(keys + extra)), unparsed)
    communication = _log(tx, contact, channel=item["channel"], direction=item["direction"],
                         status=item["status"], external_id=item["external_id"], from_address=item["from"],
                         to_address=item["to"], subject=item.get("subject"), body=item.get("body"),
                         duration_seconds=item.get("duration_seconds"), recording_url=item.get("recording_url"),
                         occurred_at=item["occurred_at"])
    if item["status"] in FINAL:
        communication = _sort(tx, communication, contact, item, keys, region)
    return _result(communication, duplicate=False)


def _update(tx: Transaction, existing, item: dict, region: str) -> dict:
    status = merged_status(existing["status"], item["status"])
    changes = {column: item[key] for column, key in (("duration_seconds", "duration_seconds"),
                                                     ("recording_url", "recording_url")) if item.get(key)}
    communication = existing
    if status != existing["status"] or changes:
        communication = tx.session.execute(
            sa.update(communications).where(communications.c.id == existing["id"])
            .values(status=status, updated_at=sa.func.now(), **changes).returning(*communications.c)
        ).mappings().one()
    if status in FINAL and existing["category"] is None:
        keys, _ = clients.identities(phone=existing["from_address"] if existing["direction"] == "in"
                                     else existing["to_address"], region=region)
        contact = clients.contact_of(tx.session, existing["contact_id"])
        communication = _sort(tx, communication, contact, {**item, "status": status}, keys, region)
    return _result(communication, duplicate=True)


def _sort(tx: Transaction, communication, contact: clients.Contact, item: dict, keys, region: str) -> dict:
    """Give a finished call or a message its category; a new request becomes a lead."""
    phones = [value for kind, value in keys if kind == "phone"]
    blocked = bool(phones) and tx.session.execute(
        sa.select(blocked_numbers.c.phone).where(blocked_numbers.c.phone.in_(phones))).first() is not None
    open_lead = tx.session.execute(
        sa.select(leads.c.id).join(lead_stages, lead_stages.c.code == leads.c.stage)
        .where(leads.c.contact_id == contact.id, lead_stages.c.kind == "open").order_by(leads.c.id.desc()).limit(1)
    ).scalar()
    known = open_lead is not None or tx.session.execute(sa.select(sa.exists().where(
        communications.c.contact_id == contact.id, communications.c.id != communication["id"]))).scalar()
    rules = [Rule(r.category, r.channel, r.keyword, r.max_duration_seconds) for r in tx.session.execute(
        sa.select(category_rules).order_by(category_rules.c.position))]
    category = categorize(Incoming(item["channel"], item.get("body") or item.get("subject") or "",
                                   item.get("duration_seconds"), blocked, known, open_lead is not None), rules)
    lead_id = open_lead if category == "open_order" else None
    responsible_id = contact.responsible_id
    if creates_lead(category) and item["direction"] == "in":
        lead = pipeline.create_lead(
            tx, contact=contact, source=item.get("source") or item["channel"], channel=item["channel"],
            title=f"{CHANNEL_NAMES.get(item['channel'], item['channel'])}: {contact.name}",
            message=item.get("body") or "", new_contact=not known,
        )
        lead_id, responsible_id = lead["id"], responsible_id or lead["responsible_id"]
    communication = tx.session.execute(
        sa.update(communications).where(communications.c.id == communication["id"])
        .values(category=category, lead_id=lead_id).returning(*communications.c)
    ).mappings().one()
    _publish(tx, communication, contact.name, responsible_id)
    return communication


def _publish(tx: Transaction, communication, contact_name: str, responsible_id: int | None) -> None:
    """A finished call, or a message, goes out as communication.recorded.v1 (reports counts it), with
    the contact's responsible (who may see it live)."""
    tx.emit("communication.recorded.v1", CommunicationRecordedV1().dump(
        {**communication, "communication_id": communication["id"], "contact_name": contact_name,
         "responsible_id": responsible_id}))


def _log(tx: Transaction, contact: clients.Contact, **values):
    """Store a communication, linked to the contact's company and newest open deal; returns the row."""
    newest_open_deal = sa.select(sa.func.max(contact_deals.c.deal_id)).where(
        contact_deals.c.contact_id == contact.id, contact_deals.c.open).scalar_subquery()
    return tx.session.execute(
        sa.insert(communications).values(contact_id=contact.id, company_id=contact.company_id,
                                         deal_id=newest_open_deal, **values)
        .returning(*communications.c)
    ).mappings().one()


def note_deal(tx: Transaction, deal: dict) -> None:
    """deals opened a deal: calls and messages from its contact link to it while it is open."""
    if deal["contact_id"] is not None:
        tx.session.execute(sa.dialects.postgresql.insert(contact_deals).values(
            deal_id=deal["deal_id"], contact_id=deal["contact_id"], responsible_id=deal["responsible_id"])
            .on_conflict_do_nothing())


def deal_handed_over(tx: Transaction, deal_id: int, to_user_id: int) -> None:
    """The deal's new responsible sees its client from now on (and the old one no longer through it)."""
    tx.session.execute(sa.update(contact_deals).where(contact_deals.c.deal_id == deal_id)
                       .values(responsible_id=to_user_id))


def close_deal(tx: Transaction, deal_id: int) -> None:
    tx.session.execute(sa.update(contact_deals).where(contact_deals.c.deal_id == deal_id).values(open=False))


def _result(communication, duplicate: bool) -> dict:
    return clients.communication_dict(communication) | {"contact_id": communication["contact_id"],
                                                        "duplicate": duplicate}


def set_blocked(tx: Transaction, phone: str, reason: str, region: str) -> dict:
    keys, unparsed = clients.identities(phone=phone, region=region)
    if unparsed:
        raise InvalidInput("invalid input", {"phone": [f"not a valid phone number: {phone}"]})
    value = keys[0][1]
    added = tx.session.execute(sa.dialects.postgresql.insert(blocked_numbers).values(phone=value, reason=reason)
                               .on_conflict_do_nothing().returning(blocked_numbers.c.phone)).first()
    if added:
        tx.emit("blocked_number.added.v1", BlockedNumberAddedV1().dump({"blocked_number_id": value, "reason": reason}))
    return {"phone": value, "reason": reason}


def list_blocked(session) -> list[dict]:
    return [{"phone": r.phone, "reason": r.reason} for r in session.execute(
        sa.select(blocked_numbers).order_by(blocked_numbers.c.phone))]


def replace_rules(tx: Transaction, rules: list[dict]) -> list[dict]:
    before = list_rules(tx.session)
    tx.session.execute(sa.delete(category_rules))
    if rules:
        tx.session.execute(sa.insert(category_rules), [{**rule, "position": i} for i, rule in enumerate(rules)])
    after = list_rules(tx.session)
    if after != before:
        tx.emit("intake_rules.replaced.v1", IntakeRulesReplacedV1().dump(
            {"changes": records.changes({"rules": before}, {"rules": after})}))
    return after


def list_rules(session) -> list[dict]:
    return [{"category": r.category, "channel": r.channel, "keyword": r.keyword,
             "max_duration_seconds": r.max_duration_seconds}
            for r in session.execute(sa.select(category_rules).order_by(category_rules.c.position))]
