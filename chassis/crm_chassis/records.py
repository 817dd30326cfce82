"""Everyday records: edits that name the version they read, archive and restore, and their events.

A record's table has `id`, `version` (+1 on every change) and `archived_at`. An edit locks the
row, refuses a stale version with 409 naming the current one, writes only what really changed
with the next version and emits `<entity>.changed.v1` `{<entity>_id, version, changes: {field:
{from, to}}}` in the same transaction; an edit that changes nothing writes and emits nothing.
Archive and restore emit `<entity>.archived.v1` / `<entity>.restored.v1` `{<entity>_id, version}`.
"""
from typing import Callable, Mapping

import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict, NotFound
from crm_chassis.scope import changeable


def changes(current: Mapping, wanted: Mapping) -> dict[str, dict]:
    """`{field: {"from", "to"}}` for the wanted fields whose value differs from the current one (a field
    the current one lacks, as in a creation, is None)."""
    return {field: {"from": current.get(field), "to": value} for field, value in wanted.items()
            if current.get(field) != value}


def check_version(current: int, expected: int | None) -> None:
    """No expected version means no check (clients that predate versions keep working)."""
    if expected is not None and expected != current:
        raise Conflict("the record changed since you read it",
                       {"version": [f"changed since you read it; it is now {current}"]})


def locked(tx: Transaction, table: sa.Table, entity: str, record_id: int, expected: int | None = None):
    """The record's row, locked until commit: 404 when there is none or it is out of the viewer's write
    scope (on its `responsible_id`, where it has one), 409 when its version is not `expected`."""
    in_scope = [changeable(table.c.responsible_id)] if "responsible_id" in table.c else []
    row = tx.session.execute(sa.select(table).where(table.c.id == record_id, *in_scope)
                             .with_for_update()).mappings().first()
    if row is None:
        raise NotFound(f"{entity} {record_id} not found", {f"{entity}_id": record_id})
    check_version(row["version"], expected)
    return row


def save(tx: Transaction, table: sa.Table, entity: str, row: Mapping, changed: dict[str, dict],
         **values) -> int:
    """Write `values` with the next version and emit the change; nothing at all when nothing changed.
    Returns the record's version after the edit."""
    if not changed:
        return row["version"]
    version = tx.session.execute(
        sa.update(table).where(table.c.id == row["id"], table.c.version == row["version"])
        .values(**values, **bumped(table)).returning(table.c.version)).scalar_one()
    tx.emit(f"{entity}.changed.v1", {f"{entity}_id": row["id"], "version": version, "changes": changed})
    return version


def set_archived(tx: Transaction, table: sa.Table, entity: str, record_id: int, archived: bool,
                 expected: int | None = None, blockers: Callable[[], dict] = dict) -> int:
    """Archive (or restore) a record; archiving what open work depends on is refused with 409 naming
    that work (`blockers()`, e.g. `{"open_deals": [12, 15]}`). Already so: nothing changes."""
    row = locked(tx, table, entity, record_id, expected)
    if (row["archived_at"] is not None) == archived:
        return row["version"]
    if archived and (depending := blockers()):
        raise Conflict(f"open work depends on {entity} {record_id}", depending)
    version = tx.session.execute(
        sa.update(table).where(table.c.id == record_id)
        .values(archived_at=sa.func.now() if archived else None, **bumped(table))
        .returning(table.c.version)).scalar_one()
    tx.emit(f"{entity}.{'archived' if archived else 'restored'}.v1", {f"{entity}_id": record_id, "version": version})
    return version


def bumped(table: sa.Table) -> dict:
    """The next version, for the writes that change a record outside an edit (a move, a merge, a hand-over)."""
    return {"version": table.c.version + 1}


def archived_filter(table: sa.Table, archived: bool):
    """Lists show live records; `?archived=true` shows only the archived ones."""
    return table.c.archived_at.is_not(None) if archived else table.c.archived_at.is_(None)
