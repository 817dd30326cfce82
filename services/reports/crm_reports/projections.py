"""Read models built only from events, and their rebuild from the event store."""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis.db import Transaction
from crm_chassis.errors import InvalidInput
from crm_reports.domain.calendar import local_day
from crm_reports.readings import READINGS
from crm_reports.tables import event_store, leads_by_day


def count_lead(session, lead: dict, timezone: str) -> None:
    statement = pg_insert(leads_by_day).values(
        day=local_day(lead["created_at"], timezone), source=lead["source"], leads=1
    )
    session.execute(statement.on_conflict_do_update(
        index_elements=[leads_by_day.c.day, leads_by_day.c.source],
        set_={"leads": leads_by_day.c.leads + 1},
    ))


PROJECTIONS = {"lead.created.v1": count_lead}


def read(envelope: dict) -> dict:
    """Validate the data reports needs; a bad event raises and is parked, never half-applied."""
    return READINGS[(envelope["producer"], envelope["event_type"])]().load(envelope["data"])


def record_and_apply(tx: Transaction, envelope: dict, timezone: str) -> None:
    data = read(envelope)
    tx.session.execute(
        sa.insert(event_store).values(
            event_id=envelope["event_id"], event_type=envelope["event_type"], envelope=envelope
        )
    )
    PROJECTIONS[envelope["event_type"]](tx.session, data, timezone)


def rebuild(tx: Transaction, timezone: str) -> dict:
    """Empty every read model and apply the stored events again, in the order received."""
    tx.session.execute(sa.delete(leads_by_day))
    replayed = 0
    rows = tx.session.execute(sa.select(event_store.c.envelope).order_by(event_store.c.position))
    for (envelope,) in rows:
        PROJECTIONS[envelope["event_type"]](tx.session, read(envelope), timezone)
        replayed += 1
    return {"events_replayed": replayed}


def leads_per_day(session, date_from: date, date_to: date, source: str | None) -> dict:
    if date_from > date_to:
        raise InvalidInput("invalid input", {"date_from": ["must not be after date_to"]})
    query = (
        sa.select(leads_by_day)
        .where(leads_by_day.c.day.between(date_from, date_to))
        .order_by(leads_by_day.c.day, leads_by_day.c.source)
    )
    if source:
        query = query.where(leads_by_day.c.source == source)
    rows = [
        {"day": row.day.isoformat(), "source": row.source, "leads": row.leads}
        for row in session.execute(query)
    ]
    return {"rows": rows, "total": sum(row["leads"] for row in rows)}
