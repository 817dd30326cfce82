"""Legacy leads: imported with their old stages mapped to the new scheme, then moved on gradually."""
import json

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis import context
from crm_chassis.db import Transaction
from crm_chassis.events import actor
from crm_chassis.errors import ServiceError
from crm_leads import clients, pipeline
from crm_leads.domain.pipeline import missing_fields
from crm_leads.schemas import ImportRow
from crm_leads.tables import lead_stages, leads

LEGACY_POSITION = 100


def legacy_code(name: str) -> str:
    return f"legacy:{name}"


def _ensure_legacy_stages(tx: Transaction, names: list[str]) -> None:
    if names:
        tx.session.execute(pg_insert(lead_stages).values([
            {"code": legacy_code(name), "name": name, "kind": "open", "position": LEGACY_POSITION,
             "required_fields": [], "deprecated": True} for name in names
        ]).on_conflict_do_nothing())


def import_rows(tx: Transaction, rows: list[dict], stage_map: dict[str, str], legacy: list[str],
                region: str, batch_name: str | None = None) -> dict:
    """Each row in its own savepoint: a rejected row leaves nothing behind, a re-run skips what exists.
    What it creates is the import's doing (`batch_name`, the file, names it in the audit)."""
    with context.acting_as(actor("import", context.current_user_id(), batch_name or "import")):
        return _import_rows(tx, rows, stage_map, legacy, region)


def _import_rows(tx: Transaction, rows: list[dict], stage_map: dict[str, str], legacy: list[str],
                 region: str) -> dict:
    _ensure_legacy_stages(tx, legacy)
    known = pipeline.stages(tx.session)
    legacy_ids = [raw["legacy_id"] for raw in rows if isinstance(raw, dict) and isinstance(raw.get("legacy_id"), str)]
    already = set(tx.session.execute(sa.select(leads.c.external_id).where(
        leads.c.source == "import", leads.c.external_id.in_(legacy_ids))).scalars())  # one query per batch
    imported, skipped, rejected = 0, 0, []
    for raw in rows:
        line = raw.get("line") if isinstance(raw, dict) else None
        try:
            row = ImportRow().load(raw)
        except ValidationError as exc:
            rejected.append({"line": line, "reason": json.dumps(exc.messages, ensure_ascii=False)})
            continue
        target = stage_map.get(row["stage"]) or (legacy_code(row["stage"]) if row["stage"] in legacy else None)
        if target not in known:
            rejected.append({"line": line, "reason": f"no mapping for stage «{row['stage']}»"})
            continue
        if row["legacy_id"] in already:
            skipped += 1
            continue
        values = {key: row[key] for key in ("request_type", "client_type") if row[key]}
        missing = missing_fields(known[target], values)
        if missing:
            rejected.append({"line": line, "reason": f"stage {target} needs: {', '.join(missing)}"})
            continue
        keys, unparsed = clients.identities(row["phone"], row["email"], region=region)
        try:
            with tx.session.begin_nested():
                contact = clients.resolve_contact(tx, row["name"], keys, unparsed)
                pipeline.create_lead(
                    tx, contact=contact, source="import", channel="import", external_id=row["legacy_id"],
                    title=row["title"] or f"Заявка: {row['name']}", message=row["message"], new_contact=contact.created,
                    stage=target, values=values, legacy_stage=row["stage"], created_at=row["created_at"],
                )
        except sa.exc.DBAPIError as exc:
            rejected.append({"line": line, "reason": str(exc.orig).splitlines()[0]})
            continue
        already.add(row["legacy_id"])  # the same old lead twice in one file is imported once
        imported += 1
    return {"imported": imported, "skipped": skipped, "rejected": rejected}


def migrate_stages(tx: Transaction, mapping: dict[str, str], batch_size: int) -> dict:
    """Move up to `batch_size` leads out of deprecated stages, each through the stage gate."""
    moved, refused = 0, []
    for old, new in mapping.items():
        code = old if old in pipeline.stages(tx.session) else legacy_code(old)
        ids = tx.session.execute(
            sa.select(leads.c.id).where(leads.c.stage == code).order_by(leads.c.id)
            .limit(batch_size - moved).with_for_update(skip_locked=True)
        ).scalars().all()
        for lead_id in ids:
            try:
                with tx.session.begin_nested():
                    pipeline.move_lead(tx, lead_id, new, {}, by="stage_migration")
                moved += 1
            except ServiceError as exc:
                refused.append({"lead_id": lead_id, "reason": exc.message, "details": exc.details})
        if moved >= batch_size:
            break
    codes = [old if old in pipeline.stages(tx.session) else legacy_code(old) for old in mapping]
    remaining = tx.session.execute(sa.select(sa.func.count()).select_from(leads)
                                   .where(leads.c.stage.in_(codes))).scalar_one()
    return {"moved": moved, "refused": refused, "remaining": remaining}
