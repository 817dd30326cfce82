"""The audit trail: an entry for every event of every producer, and reading it back.

Reports' audit handlers (one per producer, bound to all its event types) record each event's
entry; a rebuild records them again from the event store. Nothing else writes `audit_entries`:
there is no RPC that changes it.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis.db import Transaction
from crm_chassis.events import without_transient
from crm_reports.domain import audit
from crm_reports.readings import READINGS
from crm_reports.tables import audit_entries, event_store

ERASED = "contact.erased.v1"


def record_event(tx: Transaction, envelope: dict) -> None:
    """An event's entry, and the event kept for rebuilds unless a projection's handler keeps it
    (that one stores it once applied, in the order a rebuild needs); never its transient data."""
    envelope = without_transient(envelope)
    if (envelope["producer"], envelope["event_type"]) not in READINGS:
        tx.session.execute(pg_insert(event_store).values(
            event_id=envelope["event_id"], event_type=envelope["event_type"], envelope=envelope,
        ).on_conflict_do_nothing(index_elements=[event_store.c.event_id]))
    record_entries(tx.session, [envelope])


def record_entries(session, envelopes: list[dict]) -> None:
    """The events' entries (each once), in as few statements as the order allows: an erasure masks
    the values of the contact's entries written before it, so it ends a batch."""
    batch = []
    for envelope in envelopes:
        found = audit.entry(envelope["event_type"], envelope["data"])
        batch.append(_row(envelope, found))
        if envelope["event_type"] == ERASED and found.entity_id is not None:
            _insert(session, batch)
            batch = []
            mask_person(session, [audit.subject("contact", found.entity_id)])
    _insert(session, batch)


def _row(envelope: dict, found: audit.Entry) -> dict:
    who = envelope.get("actor") or {}
    return dict(
        event_id=envelope["event_id"], event_type=envelope["event_type"], occurred_at=envelope["occurred_at"],
        entity=found.entity, entity_id=found.entity_id, action=found.action, subjects=list(found.subjects),
        actor_kind=who.get("kind"), actor_id=None if who.get("id") is None else str(who["id"]),
        actor_label=who.get("label"), actor_role=who.get("role"), rule_id=who.get("rule_id"),
        rule_version=who.get("rule_version"), changes=found.changes)


def _insert(session, rows: list[dict]) -> None:
    if rows:
        session.execute(pg_insert(audit_entries).on_conflict_do_nothing(index_elements=[audit_entries.c.event_id]),
                        rows)


def mask_person(session, person: list[str]) -> None:
    """The values of every entry about the person's records (`person`: "contact:7", "deal:12") and
    about the records those name them with (their leads, tasks, bookings); erasures keep theirs."""
    named = session.execute(sa.select(audit_entries.c.entity, audit_entries.c.entity_id).where(
        audit_entries.c.subjects.overlap(person), audit_entries.c.entity_id.is_not(None))).all()
    about = sorted({*person, *(audit.subject(entity, entity_id) for entity, entity_id in named)})
    rows = session.execute(sa.select(audit_entries.c.id, audit_entries.c.changes).where(
        audit_entries.c.subjects.overlap(about), audit_entries.c.event_type != ERASED)).all()
    for entry_id, changes in rows:
        session.execute(sa.update(audit_entries).where(audit_entries.c.id == entry_id)
                        .values(changes=audit.masked(changes)))


def entries(session, entity: str | None = None, entity_id: str | None = None, actor_id: str | None = None,
            limit: int = 100, before: datetime | None = None) -> list[dict]:
    """Newest first: the entries about a record (its own and those naming it), of a kind of record, or by an actor."""
    query = sa.select(audit_entries)
    if entity_id is not None:
        query = query.where(audit_entries.c.subjects.contains([audit.subject(entity, entity_id)]))
    elif entity is not None:
        query = query.where(audit_entries.c.entity == entity)
    if actor_id is not None:
        query = query.where(audit_entries.c.actor_id == actor_id)
    if before is not None:
        query = query.where(audit_entries.c.occurred_at < before)
    rows = session.execute(query.order_by(audit_entries.c.occurred_at.desc(), audit_entries.c.id.desc())
                           .limit(limit)).mappings()
    return [_as_entry(row) for row in rows]


def _as_entry(row) -> dict:
    actor = None if row["actor_kind"] is None else {
        "kind": row["actor_kind"], "id": row["actor_id"], "label": row["actor_label"], "role": row["actor_role"],
        "rule_id": row["rule_id"], "rule_version": row["rule_version"]}
    return {"at": row["occurred_at"].isoformat(), "entity": row["entity"], "entity_id": row["entity_id"],
            "action": row["action"], "event_type": row["event_type"], "actor": actor, "changes": row["changes"]}
