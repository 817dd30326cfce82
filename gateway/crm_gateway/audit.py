"""The gateway's own audit: logins and changes of users, in `audit_log`.

`record` writes an entry in the caller's transaction; `entries` reads them newest first in the
shape GET /audit answers for every entry, the services' ones included (`merged`).
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_gateway.tables import audit_log


def actor_of(user) -> dict:
    """A user (crm_gateway.accounts.User) as an actor; nobody (a command line) is the system."""
    if user is None:
        return {"kind": "system", "id": None, "label": "crm-gateway", "role": None}
    return {"kind": "user", "id": str(user.id), "label": user.login, "role": user.role}


async def record(conn: AsyncConnection, entity: str, entity_id, action: str, actor: dict,
                 changes: dict | None = None) -> None:
    await conn.execute(sa.insert(audit_log).values(
        entity=entity, entity_id=str(entity_id), action=action, actor_kind=actor["kind"], actor_id=actor["id"],
        actor_label=actor["label"], actor_role=actor.get("role"), changes=changes or {}))


async def entries(engine: AsyncEngine, entity: str | None, entity_id, limit: int, before: datetime | None = None,
                  actor_id: str | None = None) -> list[dict]:
    query = sa.select(audit_log)
    if entity is not None:
        query = query.where(audit_log.c.entity == entity)
    if entity_id is not None:
        query = query.where(audit_log.c.entity_id == str(entity_id))
    if actor_id is not None:
        query = query.where(audit_log.c.actor_id == str(actor_id))
    if before is not None:
        query = query.where(audit_log.c.at < before)
    async with engine.connect() as conn:
        rows = (await conn.execute(query.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)))
    return [{"at": row.at.isoformat(), "entity": row.entity, "entity_id": row.entity_id, "action": row.action,
             "event_type": None,
             "actor": {"kind": row.actor_kind, "id": row.actor_id, "label": row.actor_label, "role": row.actor_role,
                       "rule_id": None, "rule_version": None},
             "changes": row.changes} for row in rows]


def merged(*lists: list[dict], limit: int) -> list[dict]:
    """Several newest-first lists as one, newest first, at most `limit`."""
    return sorted((entry for entries_ in lists for entry in entries_),
                  key=lambda entry: datetime.fromisoformat(entry["at"]), reverse=True)[:limit]
