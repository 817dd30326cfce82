"""Leads through their pipeline: create, read, update, move behind the stage gates, convert."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis import records
from crm_chassis.db import Transaction
from crm_chassis.errors import NotFound, Unprocessable
from crm_chassis.scope import changeable, visible
from crm_chassis.sql import contains
from crm_leads import clients, ownership
from crm_leads.domain.pipeline import MoveRefused, Stage, check_move
from crm_leads.events import LeadConvertedV1, LeadCreatedV1, LeadStageChangedV1, LeadStageSavedV1
from crm_leads.tables import contacts, lead_stages, leads

LEAD_FIELDS = ("request_type", "client_type")
EDITABLE = ("title", "message", "responsible_id")


def stages(session) -> dict[str, Stage]:
    rows = session.execute(sa.select(lead_stages).order_by(lead_stages.c.position)).mappings()
    return {row["code"]: Stage(row["code"], row["name"], row["kind"], tuple(row["required_fields"]),
                               row["deprecated"]) for row in rows}


def save_stage(tx: Transaction, spec: dict) -> list[dict]:
    """Add a stage or change one (name, kind, position, required fields, deprecation)."""
    held = tx.session.execute(sa.select(lead_stages).where(lead_stages.c.code == spec["code"])).mappings().first()
    statement = pg_insert(lead_stages).values(**spec)
    tx.session.execute(statement.on_conflict_do_update(
        index_elements=[lead_stages.c.code], set_={k: statement.excluded[k] for k in spec if k != "code"}))
    before = {} if held is None else {k: list(v) if k == "required_fields" else v for k, v in held.items()}
    changes = records.changes(before, {k: v for k, v in spec.items() if k != "code"})
    if changes:
        tx.emit("lead_stage.saved.v1", LeadStageSavedV1().dump({"lead_stage_id": spec["code"], "changes": changes}))
    return list_stages(tx.session)


def list_stages(session) -> list[dict]:
    return [{"code": s.code, "name": s.name, "kind": s.kind, "required_fields": list(s.required_fields),
             "deprecated": s.deprecated} for s in stages(session).values()]


def create_lead(tx: Transaction, *, contact: clients.Contact, source: str, channel: str, title: str,
                message: str = "", external_id: str | None = None, new_contact: bool = False,
                responsible_id: int | None = None, stage: str = "new", values: dict | None = None,
                legacy_stage: str | None = None, created_at=None) -> dict:
    """Insert a lead and emit lead.created.v1; a lead gets its owner by round robin. Returns the lead
    as `get_lead` shows it, from what the insert returned and what is known of the contact."""
    values = values or {}
    responsible_id = responsible_id or ownership.next_on_duty(tx) or contact.responsible_id
    inserted = sa.insert(leads).values(
        contact_id=contact.id, source=source, channel=channel, external_id=external_id, title=title,
        message=message, stage=stage, responsible_id=responsible_id, legacy_stage=legacy_stage,
        request_type=values.get("request_type"), client_type=values.get("client_type"),
        fields={k: v for k, v in values.items() if k not in LEAD_FIELDS},
        **({"created_at": created_at} if created_at else {}),
    ).returning(*leads.c).cte("inserted")
    row = tx.session.execute(
        sa.select(inserted, lead_stages.c.name.label("stage_name"), lead_stages.c.kind.label("stage_kind"))
        .join(lead_stages, lead_stages.c.code == inserted.c.stage)
    ).mappings().one()
    if contact.responsible_id is None and responsible_id is not None:
        tx.session.execute(sa.update(contacts).where(contacts.c.id == contact.id, contacts.c.responsible_id.is_(None))
                           .values(responsible_id=responsible_id, **records.bumped(contacts)))
    tx.emit("lead.created.v1", LeadCreatedV1().dump({
        "lead_id": row["id"], "contact_id": contact.id, "source": source, "channel": channel, "title": title,
        "created_at": row["created_at"], "new_contact": new_contact, "responsible_id": responsible_id,
        "stage": stage,
    }))
    return _dump({**row, "contact_name": contact.name, "phone": contact.phone, "email": contact.email,
                  "phone_unparsed": contact.phone_unparsed})


def create_manual(tx: Transaction, spec: dict, region: str) -> dict:
    keys, unparsed = clients.identities(spec.get("phone"), spec.get("email"), region=region)
    contact = clients.resolve_contact(tx, spec["name"], keys, unparsed)
    return create_lead(tx, contact=contact, source="manual", channel=spec["channel"],
                       title=spec.get("title") or f"Обращение: {spec['name']}", message=spec.get("message", ""),
                       new_contact=contact.created, responsible_id=spec.get("responsible_id"),
                       values={k: spec[k] for k in LEAD_FIELDS if spec.get(k)})


def _query():
    return (
        sa.select(leads, lead_stages.c.name.label("stage_name"), lead_stages.c.kind.label("stage_kind"),
                  contacts.c.name.label("contact_name"), contacts.c.phone, contacts.c.email,
                  contacts.c.phone_unparsed)
        .join(contacts, contacts.c.id == leads.c.contact_id)
        .join(lead_stages, lead_stages.c.code == leads.c.stage)
    )


def _dump(row) -> dict:
    return {
        "id": row["id"], "title": row["title"], "message": row["message"], "source": row["source"],
        "channel": row["channel"], "stage": row["stage"], "stage_name": row["stage_name"],
        "stage_kind": row["stage_kind"], "responsible_id": row["responsible_id"],
        "request_type": row["request_type"], "client_type": row["client_type"], "fields": row["fields"],
        "company_id": row["company_id"], "legacy_stage": row["legacy_stage"],
        "created_at": row["created_at"].isoformat(), "updated_at": row["updated_at"].isoformat(),
        "converted_at": clients.iso(row["converted_at"]), "version": row["version"],
        "archived_at": clients.iso(row["archived_at"]),
        "contact": {"id": row["contact_id"], "name": row["contact_name"], "phone": row["phone"],
                    "email": row["email"], "phone_unparsed": row["phone_unparsed"]},
    }


def get_lead(session, lead_id: int, *scope) -> dict:
    row = session.execute(_query().where(leads.c.id == lead_id, *scope)).mappings().first()
    if row is None:
        raise NotFound(f"lead {lead_id} not found", {"lead_id": lead_id})
    return _dump(row)


def visible_lead(session, lead_id: int) -> dict:
    """A lead as the viewer may see it: one out of their scope is not found."""
    return get_lead(session, lead_id, visible(leads.c.responsible_id))


def held_lead(session, source: str, external_id: str) -> dict | None:
    """The lead a source already sent with this id (a site retrying a submission), if any."""
    row = session.execute(
        _query().where(leads.c.source == source, leads.c.external_id == external_id)).mappings().first()
    return row and _dump(row)


def list_leads(session, *, source=None, stage=None, stage_kind=None, channel=None, responsible_id=None,
               contact_id=None, q=None, archived: bool = False, limit: int, offset: int) -> dict:
    conditions = [records.archived_filter(leads, archived)] + [column == value for column, value in (
        (leads.c.source, source), (leads.c.stage, stage), (lead_stages.c.kind, stage_kind),
        (leads.c.channel, channel), (leads.c.responsible_id, responsible_id), (leads.c.contact_id, contact_id),
    ) if value is not None]
    if q:
        conditions.append(sa.or_(contains(leads.c.title, q), contains(contacts.c.phone, q)))
    query = _query().where(visible(leads.c.responsible_id), *conditions)
    total = session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(leads.c.id.desc()).limit(limit).offset(offset)).mappings()
    return {"items": [_dump(row) for row in rows], "total": total, "limit": limit, "offset": offset}


def _locked(tx: Transaction, lead_id: int):
    row = tx.session.execute(sa.select(leads).where(leads.c.id == lead_id, changeable(leads.c.responsible_id))
                             .with_for_update()).mappings().first()
    if row is None:
        raise NotFound(f"lead {lead_id} not found", {"lead_id": lead_id})
    return row


def _values(row, changes: dict) -> dict:
    return {**row["fields"], "request_type": row["request_type"], "client_type": row["client_type"], **changes}


def _column_values(values: dict) -> dict:
    return {"request_type": values.get("request_type"), "client_type": values.get("client_type"),
            "fields": {k: v for k, v in values.items() if k not in LEAD_FIELDS}}


def update_lead(tx: Transaction, lead_id: int, expected: int | None, edit: dict) -> dict:
    """What a person corrects on a lead; its stage moves only through `move_lead` and its gate."""
    row = records.locked(tx, leads, "lead", lead_id, expected)
    wanted = _column_values(_values(row, edit.get("fields", {})))
    wanted |= {key: edit[key] for key in EDITABLE if key in edit}
    changed = records.changes(row, wanted)
    records.save(tx, leads, "lead", row, changed, **{key: change["to"] for key, change in changed.items()},
                 updated_at=sa.func.now())
    return get_lead(tx.session, lead_id)


def archive_lead(tx: Transaction, lead_id: int, archived: bool, expected: int | None) -> dict:
    records.set_archived(tx, leads, "lead", lead_id, archived, expected)
    return get_lead(tx.session, lead_id)


def move_lead(tx: Transaction, lead_id: int, target_code: str, changes: dict, by: str = "api") -> dict:
    """The one gate every write path passes (API, import, automation): 422 lists what is missing."""
    row = _locked(tx, lead_id)
    known = stages(tx.session)
    if target_code not in known:
        raise NotFound(f"stage {target_code} not found", {"stage": [f"unknown stage {target_code}"]})
    current, target = known[row["stage"]], known[target_code]
    values = _values(row, changes)
    if current.code == target.code:
        return get_lead(tx.session, lead_id)
    try:
        check_move(current, target, values)
    except MoveRefused as refused:
        raise Unprocessable(refused.reason, {"missing_fields": refused.missing}) from None
    tx.session.execute(sa.update(leads).where(leads.c.id == lead_id).values(
        stage=target.code, updated_at=sa.func.now(), **_column_values(values), **records.bumped(leads)))
    tx.emit("lead.stage_changed.v1", LeadStageChangedV1().dump({
        "lead_id": lead_id, "from_stage": current.code, "to_stage": target.code, "to_kind": target.kind,
        "responsible_id": row["responsible_id"], "by": by,
    }))
    if target.kind == "won":
        _convert(tx, row, values)
    return get_lead(tx.session, lead_id)


def _convert(tx: Transaction, row, values: dict) -> None:
    """Won: the lead becomes a client (contact, and company for a business) and a deal elsewhere."""
    company_id = tx.session.execute(sa.select(contacts.c.company_id).where(contacts.c.id == row["contact_id"])).scalar()
    if values["client_type"] == "business" and company_id is None:
        company_id = clients.create_company(tx, {
            "name": values["company_name"], "category": values["company_category"],
            "responsible_id": row["responsible_id"]})["id"]
        tx.session.execute(sa.update(contacts).where(contacts.c.id == row["contact_id"])
                           .values(company_id=company_id, **records.bumped(contacts)))
    converted_at = tx.session.execute(
        sa.update(leads).where(leads.c.id == row["id"])
        .values(company_id=company_id, converted_at=sa.func.now(), **records.bumped(leads))
        .returning(leads.c.converted_at)).scalar_one()
    tx.emit("lead.converted.v1", LeadConvertedV1().dump({
        "lead_id": row["id"], "contact_id": row["contact_id"], "company_id": company_id,
        "client_type": values["client_type"], "request_type": values["request_type"], "title": row["title"],
        "responsible_id": row["responsible_id"], "converted_at": converted_at,
    }))
