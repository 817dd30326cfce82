"""The gateway's audit log: who did what to an account, written in the transaction of the change.

`record()` is called by whatever changes a user or a session (accounts.py); `entries()` reads one
entity's trail, newest first. Never a password, in any form.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_gateway.tables import audit_log


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in user ('user', their id and login) or the system ('system', no id)."""
    kind: str
    id: int | None
    label: str
    source_ip: str | None = None


async def record(conn: AsyncConnection, *, actor_kind: str, actor_id: int | None, actor_label: str, entity: str,
                 entity_id, action: str, changes: dict | None = None, source_ip: str | None = None) -> None:
    await conn.execute(sa.insert(audit_log).values(
        actor_kind=actor_kind, actor_id=actor_id, actor_label=actor_label, entity=entity, entity_id=str(entity_id),
        action=action, changes=changes, source_ip=source_ip))


async def record_by(conn: AsyncConnection, actor: Actor, entity: str, entity_id, action: str,
                    changes: dict | None = None) -> None:
    await record(conn, actor_kind=actor.kind, actor_id=actor.id, actor_label=actor.label, entity=entity,
                 entity_id=entity_id, action=action, changes=changes, source_ip=actor.source_ip)


async def entries(engine: AsyncEngine, entity: str, entity_id, limit: int, before: int | None = None) -> list[dict]:
    """One entity's trail, newest first; `before` (an entry id) pages back."""
    query = sa.select(audit_log).where(audit_log.c.entity == entity, audit_log.c.entity_id == str(entity_id))
    if before is not None:
        query = query.where(audit_log.c.id < before)
    async with engine.connect() as conn:
        rows = (await conn.execute(query.order_by(audit_log.c.id.desc()).limit(limit))).mappings().all()
    return [{**row, "at": row["at"].isoformat()} for row in rows]
