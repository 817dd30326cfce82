"""Read models built only from events, and their rebuild from the event store.

Every consumed event is read by its handler's reading (one that does not load is parked at
once), then stored in `event_store` and applied by its projection in one transaction: an
event that fails to apply raises, is retried and then parked, and leaves nothing behind. A
projection depends only on the event and on what earlier events left, so replaying the store
in the order received rebuilds the same read models.
"""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis.db import Transaction
from crm_reports import audit
from crm_reports.domain.abc import counts_as_contact
from crm_reports.domain.calendar import local_day
from crm_reports.domain.funnel import DELIVERY_RANK
from crm_reports.readings import READINGS
from crm_reports.tables import (PROJECTION_TABLES, activities, bookings, communications, companies,
                                contact_companies, deal_visits, deals, event_store, last_contacts, leads, leads_by_day,
                                losses, message_deliveries, tasks)


class UnknownEntity(LookupError):
    """An event about something reports has not heard of (yet): retried, then parked."""


@dataclass
class Applying:
    session: sa.orm.Session
    timezone: str
    occurred_at: datetime  # the envelope's, for events that carry no time of their own

    def activity(self, kind: str, manager_id: int | None, at: datetime, ref: int) -> None:
        if manager_id is not None:
            self.session.execute(sa.insert(activities).values(
                kind=kind, manager_id=manager_id, day=local_day(at, self.timezone), ref=ref))


def _update(ctx: Applying, table: sa.Table, key: str, value: int, **values) -> None:
    found = ctx.session.execute(sa.update(table).where(table.c[key] == value).values(**values)
                                .returning(table.c[key])).first()
    if found is None:
        raise UnknownEntity(f"{table.name}: no {key} {value}")


# -- leads and clients ---------------------------------------------------------------------

def lead_created(ctx: Applying, lead: dict) -> None:
    ctx.session.execute(pg_insert(leads_by_day).values(
        day=local_day(lead["created_at"], ctx.timezone), source=lead["source"], leads=1,
    ).on_conflict_do_update(index_elements=[leads_by_day.c.day, leads_by_day.c.source],
                            set_={"leads": leads_by_day.c.leads + 1}))
    ctx.session.execute(sa.insert(leads).values(
        lead_id=lead["lead_id"], contact_id=lead["contact_id"], responsible_id=lead["responsible_id"],
        stage=lead["stage"], stage_kind="open", created_at=lead["created_at"]))


def lead_stage_changed(ctx: Applying, change: dict) -> None:
    _update(ctx, leads, "lead_id", change["lead_id"], stage=change["to_stage"], stage_kind=change["to_kind"],
            responsible_id=change["responsible_id"])
    ctx.activity("lead_moved", change["responsible_id"], ctx.occurred_at, change["lead_id"])
    if change["to_kind"] == "lost":
        ctx.session.execute(sa.insert(losses).values(
            source="lead", ref=change["lead_id"], pipeline="leads", reason=change["to_stage"],
            responsible_id=change["responsible_id"], lost_at=ctx.occurred_at))


def lead_converted(ctx: Applying, lead: dict) -> None:
    _update(ctx, leads, "lead_id", lead["lead_id"], company_id=lead["company_id"])
    if lead["company_id"] is not None:
        _link_contact(ctx, lead["contact_id"], lead["company_id"])
    ctx.activity("lead_converted", lead["responsible_id"], lead["converted_at"], lead["lead_id"])


def _link_contact(ctx: Applying, contact_id: int, company_id: int) -> None:
    ctx.session.execute(pg_insert(contact_companies).values(contact_id=contact_id, company_id=company_id)
                        .on_conflict_do_update(index_elements=[contact_companies.c.contact_id],
                                               set_={"company_id": company_id}))


def company_created(ctx: Applying, company: dict) -> None:
    ctx.session.execute(sa.insert(companies).values(**company))


def contact_attached(ctx: Applying, link: dict) -> None:
    _link_contact(ctx, link["contact_id"], link["company_id"])


def _new_values(change: dict, *names: str) -> dict:
    return {name: change["changes"][name]["to"] for name in names if name in change["changes"]}


def company_changed(ctx: Applying, change: dict) -> None:
    """A new category re-evaluates the ABC flags at once; a new responsible moves the company's rows."""
    if values := _new_values(change, "name", "category", "responsible_id"):
        _update(ctx, companies, "company_id", change["company_id"], **values)


def contact_changed(ctx: Applying, change: dict) -> None:
    if "company_id" not in change["changes"]:
        return
    company_id = change["changes"]["company_id"]["to"]
    if company_id is None:
        ctx.session.execute(sa.delete(contact_companies).where(contact_companies.c.contact_id == change["contact_id"]))
    else:
        _link_contact(ctx, change["contact_id"], company_id)


def lead_changed(ctx: Applying, change: dict) -> None:
    if values := _new_values(change, "responsible_id"):
        _update(ctx, leads, "lead_id", change["lead_id"], **values)


def contact_merged(ctx: Applying, merge: dict) -> None:
    """The merged contact's history is the kept one's; so is its company when the kept has none."""
    ctx.session.execute(sa.update(communications).where(communications.c.contact_id == merge["merged_id"])
                        .values(contact_id=merge["kept_id"]))
    moved = ctx.session.execute(sa.delete(last_contacts).where(
        last_contacts.c.link == "contact", last_contacts.c.link_id == merge["merged_id"])
        .returning(last_contacts.c.contact_kind, last_contacts.c.at)).all()
    for kind, at in moved:
        _touch(ctx, "contact", merge["kept_id"], kind, at)
    merged = ctx.session.execute(sa.delete(contact_companies).where(
        contact_companies.c.contact_id == merge["merged_id"]).returning(contact_companies.c.company_id)).scalar()
    if merged is not None:
        ctx.session.execute(pg_insert(contact_companies).values(contact_id=merge["kept_id"], company_id=merged)
                            .on_conflict_do_nothing())


def ownership_moved(ctx: Applying, batch: dict) -> None:
    """Reassigned to a substitute, or returned: companies and leads follow (deals have their own event)."""
    for table, key, ids in ((companies, "company_id", batch["company_ids"]), (leads, "lead_id", batch["lead_ids"])):
        if ids:
            ctx.session.execute(sa.update(table).where(table.c[key].in_(ids))
                                .values(responsible_id=batch["to_user_id"]))


def communication_recorded(ctx: Applying, item: dict) -> None:
    """Stored (or its status moved on); a completed one counts once as its manager's activity.

    The manager is the responsible of the linked deal, else of the lead, else of the company
    (directly or through the contact), as reports knows them when the communication arrives.
    Completed calls count in either direction; other channels only when sent by us.
    """
    values = {**item, "contact_kind": counts_as_contact(item["channel"], item["status"])}
    statement = pg_insert(communications).values(**values)
    previous = ctx.session.execute(
        sa.select(communications.c.status).where(communications.c.communication_id == item["communication_id"])
    ).scalar()
    ctx.session.execute(statement.on_conflict_do_update(
        index_elements=[communications.c.communication_id],
        set_={name: statement.excluded[name] for name in values if name != "communication_id"}))
    if values["contact_kind"]:
        for link in ("company", "contact", "lead", "deal"):
            if item[f"{link}_id"] is not None:
                _touch(ctx, link, item[f"{link}_id"], values["contact_kind"], item["occurred_at"])
    counts = item["status"] == "completed" and (item["channel"] == "call" or item["direction"] == "out")
    if counts and previous != "completed":
        ctx.activity("communication", _manager_of(ctx, item), item["occurred_at"], item["communication_id"])


def _touch(ctx: Applying, link: str, link_id: int, kind: str, at: datetime) -> None:
    statement = pg_insert(last_contacts).values(link=link, link_id=link_id, contact_kind=kind, at=at)
    ctx.session.execute(statement.on_conflict_do_update(
        index_elements=[last_contacts.c.link, last_contacts.c.link_id, last_contacts.c.contact_kind],
        set_={"at": sa.func.greatest(last_contacts.c.at, statement.excluded.at)}))


def _manager_of(ctx: Applying, item: dict) -> int | None:
    company_of_contact = sa.select(contact_companies.c.company_id).where(
        contact_companies.c.contact_id == item["contact_id"]).scalar_subquery()
    candidates = [sa.select(companies.c.responsible_id).where(companies.c.company_id == company_of_contact)]
    if item["company_id"]:
        candidates.insert(0, sa.select(companies.c.responsible_id).where(companies.c.company_id == item["company_id"]))
    if item["lead_id"]:
        candidates.insert(0, sa.select(leads.c.responsible_id).where(leads.c.lead_id == item["lead_id"]))
    if item["deal_id"]:
        candidates.insert(0, sa.select(deals.c.responsible_id).where(deals.c.deal_id == item["deal_id"]))
    for query in candidates:
        manager = ctx.session.execute(query).scalar()
        if manager is not None:
            return manager
    return None


# -- deals and tasks -----------------------------------------------------------------------

def deal_created(ctx: Applying, deal: dict) -> None:
    fields = deal.pop("custom_fields")
    ctx.session.execute(sa.insert(deals).values(
        **deal, fields=fields, stage_kind="open", stage_entered_at=deal["created_at"]))
    ctx.session.execute(sa.insert(deal_visits).values(
        deal_id=deal["deal_id"], pipeline=deal["pipeline"], stage=deal["stage"], kind="open", step=0,
        entered_at=deal["created_at"]))


def deal_stage_changed(ctx: Applying, change: dict) -> None:
    at = change["changed_at"]
    _update(ctx, deals, "deal_id", change["deal_id"], pipeline=change["pipeline"], stage=change["to_stage"],
            stage_kind=change["to_kind"], stage_entered_at=at, responsible_id=change["responsible_id"],
            **({"closed_at": None} if change["to_kind"] == "open" else {}))
    last_step = ctx.session.execute(
        sa.update(deal_visits).where(deal_visits.c.deal_id == change["deal_id"], deal_visits.c.left_at.is_(None))
        .values(left_at=at).returning(deal_visits.c.step)).scalar()
    ctx.session.execute(sa.insert(deal_visits).values(
        deal_id=change["deal_id"], pipeline=change["pipeline"], stage=change["to_stage"], kind=change["to_kind"],
        step=(last_step or 0) + 1, entered_at=at))
    if change["rule_id"] is None:  # a person moved it; a rule's move is nobody's activity
        ctx.activity("deal_moved", change["responsible_id"], at, change["deal_id"])


def deal_closed(ctx: Applying, closed: dict) -> None:
    amount = {"amount": closed["amount"]} if closed["amount"] is not None else {}
    _update(ctx, deals, "deal_id", closed["deal_id"], stage_kind=closed["result_kind"], closed_at=closed["closed_at"],
            **amount)
    if closed["result_kind"] == "lost":
        ctx.session.execute(sa.insert(losses).values(
            source="deal", ref=closed["deal_id"], pipeline=closed["pipeline"], reason=closed["result"],
            responsible_id=closed["responsible_id"], lost_at=closed["closed_at"]))


def deal_fields_changed(ctx: Applying, change: dict) -> None:
    _update(ctx, deals, "deal_id", change["deal_id"], fields=change["custom_fields"])


def deal_responsible_changed(ctx: Applying, change: dict) -> None:
    _update(ctx, deals, "deal_id", change["deal_id"], responsible_id=change["to_user_id"])


def _new_values(change: dict, *names: str) -> dict:
    return {name: change["changes"][name]["to"] for name in names if name in change["changes"]}


def deal_changed(ctx: Applying, change: dict) -> None:
    """An edit: the KPIs, funnels' cohorts and ABC links read the new values (custom fields come by
    deal.fields_changed.v1)."""
    if values := _new_values(change, "title", "amount", "responsible_id", "contact_id", "company_id"):
        _update(ctx, deals, "deal_id", change["deal_id"], **values)


def task_changed(ctx: Applying, change: dict) -> None:
    if values := _new_values(change, "title", "due_at", "assignee_id"):
        _update(ctx, tasks, "task_id", change["task_id"], **values)


def _archiving(table: sa.Table, key: str, archived: bool):
    """`<entity>.archived.v1` / `.restored.v1`: an archived deal or task stays in funnels and history
    and leaves the KPIs, forecast and problem lists (queries read `archived_at`)."""
    def apply(ctx: Applying, change: dict) -> None:
        _update(ctx, table, key, change[key], archived_at=ctx.occurred_at if archived else None)
    return apply


def task_created(ctx: Applying, task: dict) -> None:
    ctx.session.execute(sa.insert(tasks).values(**task, status="open"))


def task_completed(ctx: Applying, task: dict) -> None:
    _update(ctx, tasks, "task_id", task["task_id"], status="done", completed_at=task["completed_at"])
    ctx.activity("task_completed", task["assignee_id"], task["completed_at"], task["task_id"])


# -- crews ---------------------------------------------------------------------------------

def booking_booked(ctx: Applying, booking: dict) -> None:
    statement = pg_insert(bookings).values(**booking, status="booked")
    ctx.session.execute(statement.on_conflict_do_update(
        index_elements=[bookings.c.booking_id],
        set_={name: statement.excluded[name] for name in ("crew_id", "crew_name", "deal_id", "starts_at", "ends_at")}))


def booking_cancelled(ctx: Applying, booking: dict) -> None:
    _update(ctx, bookings, "booking_id", booking["booking_id"], status="cancelled")


def booking_completed(ctx: Applying, booking: dict) -> None:
    _update(ctx, bookings, "booking_id", booking["booking_id"], status=booking["result"])


def message_status_changed(ctx: Applying, change: dict) -> None:
    rank = DELIVERY_RANK.get(change["status"], 0)
    statement = pg_insert(message_deliveries).values(message_id=change["message_id"], channel=change["channel"],
                                                     status=change["status"], first_at=change["changed_at"])
    ctx.session.execute(statement.on_conflict_do_update(
        index_elements=[message_deliveries.c.message_id], set_={"status": statement.excluded.status},
        where=sa.func.coalesce(sa.case(DELIVERY_RANK, value=message_deliveries.c.status), 0) < rank))


PROJECTIONS = {
    "message.status_changed.v1": message_status_changed,
    "lead.created.v1": lead_created,
    "lead.stage_changed.v1": lead_stage_changed,
    "lead.converted.v1": lead_converted,
    "communication.recorded.v1": communication_recorded,
    "contact.merged.v1": contact_merged,
    "ownership.reassigned.v1": ownership_moved,
    "ownership.returned.v1": ownership_moved,
    "company.created.v1": company_created,
    "contact.attached.v1": contact_attached,
    "company.changed.v1": company_changed,
    "contact.changed.v1": contact_changed,
    "lead.changed.v1": lead_changed,
    "deal.created.v1": deal_created,
    "deal.stage_changed.v1": deal_stage_changed,
    "deal.closed.v1": deal_closed,
    "deal.fields_changed.v1": deal_fields_changed,
    "deal.responsible_changed.v1": deal_responsible_changed,
    "deal.changed.v1": deal_changed,
    "deal.archived.v1": _archiving(deals, "deal_id", True),
    "deal.restored.v1": _archiving(deals, "deal_id", False),
    "task.changed.v1": task_changed,
    "task.archived.v1": _archiving(tasks, "task_id", True),
    "task.restored.v1": _archiving(tasks, "task_id", False),
    "deal.task_created.v1": task_created,
    "deal.task_completed.v1": task_completed,
    "booking.created.v1": booking_booked,
    "booking.rescheduled.v1": booking_booked,
    "booking.cancelled.v1": booking_cancelled,
    "booking.completed.v1": booking_completed,
}
assert {event_type for _, event_type in READINGS} == set(PROJECTIONS)


def apply(session, envelope: dict, data: dict, timezone: str) -> None:
    """Apply an event's data, as its reading loaded it, to the read models."""
    ctx = Applying(session, timezone, datetime.fromisoformat(envelope["occurred_at"]))
    PROJECTIONS[envelope["event_type"]](ctx, data)


def record_and_apply(tx: Transaction, envelope: dict, data: dict, timezone: str) -> None:
    """Store and apply in the caller's transaction: an event that fails to apply rolls both back."""
    tx.session.execute(
        sa.insert(event_store).values(
            event_id=envelope["event_id"], event_type=envelope["event_type"], envelope=envelope
        )
    )
    apply(tx.session, envelope, data, timezone)


def _read_again(stored: dict) -> dict:
    """A stored event's data, read as its handler read it on arrival."""
    return READINGS[(stored["producer"], stored["event_type"])]().load(stored["data"])


def rebuild(tx: Transaction, timezone: str) -> dict:
    return replay(tx.session, timezone)


def replay(session, timezone: str, batch: int = 5000) -> dict:
    """Empty every read model and apply the stored events again, in the order received; each event's
    audit entry is written again too (crm_reports/audit.py)."""
    for table in reversed(PROJECTION_TABLES):
        session.execute(sa.delete(table))
    replayed, audited = 0, []
    rows = session.execute(sa.select(event_store.c.envelope).order_by(event_store.c.position)
                           .execution_options(yield_per=batch))
    for (envelope,) in rows:
        if envelope["event_type"] in PROJECTIONS:
            apply(session, envelope, _read_again(envelope), timezone)
        audited.append(envelope)
        if len(audited) == batch:
            audit.record_entries(session, audited)
            audited = []
        replayed += 1
    audit.record_entries(session, audited)
    return {"events_replayed": replayed}
