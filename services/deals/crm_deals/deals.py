"""Deals: create, read, change fields, move behind the stage gates. Each change is written to the
deal's history and records on the transaction the automation triggers it causes (see `automation`)."""
import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict, InvalidInput, NotFound, ServiceError, Unprocessable
from crm_chassis.records import archived_filter, bumped, changes, check_version, save
from crm_chassis.scope import changeable, in_departments, visible
from crm_chassis.sql import contains
from crm_deals.domain.automation import Trigger
from crm_deals.domain.records import DEAL_FIELDS, custom_field_changes, plain
from crm_deals.domain.fields import missing_for_stage, normalize_all
from crm_deals.events import (DealClosedV1, DealCreatedV1, DealFieldsChangedV1, DealResponsibleChangedV1,
                              DealStageChangedV1, NotificationRequestedV1)
from crm_deals.pipelines import field_definitions, stage_row
from crm_deals.schemas import DealOutput
from crm_deals.tables import deal_history, deals, documents, pipelines, stages, tasks


class Actor:
    """Who makes a change: a user, or a rule of a given version."""

    def __init__(self, user_id: int | None = None, rule_id: int | None = None, rule_version: int | None = None,
                 label: str | None = None):
        self.user_id, self.rule_id, self.rule_version = user_id, rule_id, rule_version
        self.label = label or (f"rule:{rule_id}" if rule_id else f"user:{user_id}" if user_id else "system")


def log(tx: Transaction, deal_id: int, kind: str, actor: Actor, **details) -> None:
    tx.session.execute(sa.insert(deal_history).values(
        deal_id=deal_id, kind=kind, details=details, actor=actor.label, rule_id=actor.rule_id,
        rule_version=actor.rule_version))


def row_query():
    return (sa.select(deals, pipelines.c.code.label("pipeline"), stages.c.code.label("stage"),
                      stages.c.name.label("stage_name"), stages.c.kind.label("stage_kind"))
            .join(pipelines, pipelines.c.id == deals.c.pipeline_id)
            .join(stages, stages.c.id == deals.c.stage_id))


def in_scope(change: bool = False) -> list:
    """Where-clauses: the deals the viewer may see (or change): their responsible is within the
    viewer's scope and their pipeline is open to the viewer's departments."""
    return [changeable(deals.c.responsible_id) if change else visible(deals.c.responsible_id),
            in_departments(pipelines.c.department_ids)]


def open_pipelines():
    """A where-clause on deals alone: their pipeline is open to the viewer's departments."""
    return deals.c.pipeline_id.in_(sa.select(pipelines.c.id).where(in_departments(pipelines.c.department_ids)))


def check_scope(session, deal_id: int, change: bool = False) -> None:
    """A deal out of the viewer's scope is not found, like one that does not exist."""
    reached = session.execute(sa.select(deals.c.id).join(pipelines, pipelines.c.id == deals.c.pipeline_id)
                              .where(deals.c.id == deal_id, *in_scope(change))).first()
    if reached is None:
        raise NotFound(f"deal {deal_id} not found", {"deal_id": deal_id})


def check_task_scope(session, task_id: int) -> None:
    """A task is changed through its deal: one whose deal is out of the viewer's write scope is not found."""
    reached = session.execute(sa.select(tasks.c.id).join(deals, deals.c.id == tasks.c.deal_id)
                              .join(pipelines, pipelines.c.id == deals.c.pipeline_id)
                              .where(tasks.c.id == task_id, *in_scope(change=True))).first()
    if reached is None:
        raise NotFound(f"task {task_id} not found", {"task_id": task_id})


def deal_row(session, deal_id: int, for_update: bool = False):
    query = row_query().where(deals.c.id == deal_id)
    if for_update:
        query = query.with_for_update(of=deals)
    row = session.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"deal {deal_id} not found", {"deal_id": deal_id})
    return row


def _checked_fields(session, pipeline_id: int, values: dict) -> dict:
    normalized, errors = normalize_all(field_definitions(session, pipeline_id), values)
    if errors:
        raise InvalidInput("invalid fields", {"fields": errors})
    return normalized


def create_deal(tx: Transaction, spec: dict, actor: Actor) -> int:
    first = stage_row(tx.session, spec["pipeline"], None)
    values = _checked_fields(tx.session, first.pipeline_id, spec.get("fields") or {})
    deal_id = tx.session.execute(sa.insert(deals).values(
        pipeline_id=first.pipeline_id, stage_id=first.id, title=spec["title"], contact_id=spec.get("contact_id"),
        company_id=spec.get("company_id"), lead_id=spec.get("lead_id"), amount=spec.get("amount") or 0,
        fields={k: v for k, v in values.items() if v is not None}, parent_deal_id=spec.get("parent_deal_id"),
        responsible_id=spec.get("responsible_id") or actor.user_id,
    ).returning(deals.c.id)).scalar_one()
    row = deal_row(tx.session, deal_id)
    log(tx, deal_id, "created", actor, pipeline=spec["pipeline"], stage=first.code,
        parent_deal_id=spec.get("parent_deal_id"))
    tx.emit("deal.created.v1", DealCreatedV1().dump({**row, "deal_id": deal_id}))
    tx.record(Trigger("deal_created", row["pipeline"], deal_id))
    return deal_id


def edit(tx: Transaction, deal_id: int, edit: dict, actor: Actor, expected: int | None = None) -> None:
    """Change a deal's title, amount, responsible, contact, company and custom fields (as strictly as at
    creation): 409 when it is not at `expected` version; only what really changes is written, with the
    next version, and told (`deal.changed.v1`, and the older `deal.fields_changed.v1` and
    `deal.responsible_changed.v1` their consumers read); a custom field's change is a rule trigger."""
    row = deal_row(tx.session, deal_id, for_update=True)
    check_version(row["version"], expected)
    wanted = {name: edit[name] for name in DEAL_FIELDS if name in edit}
    changed = changes(plain(row), plain(wanted))
    current = dict(row["fields"])
    custom = custom_field_changes(current, _checked_fields(tx.session, row["pipeline_id"], edit.get("fields") or {}))
    own = dict(changed)
    changed.update({f"fields.{code}": change for code, change in custom.items()})
    if not changed:
        return
    merged = {k: v for k, v in {**current, **{code: c["to"] for code, c in custom.items()}}.items() if v is not None}
    save(tx, deals, "deal", row, changed, **{name: wanted[name] for name in own}, fields=merged,
         updated_at=sa.func.now())
    if own:
        log(tx, deal_id, "changed", actor, changes=own)
    if custom:  # custom fields keep their own history entry and event, as before edits of the rest existed
        log(tx, deal_id, "fields_changed", actor, changes=custom)
        edited = deal_row(tx.session, deal_id)
        tx.emit("deal.fields_changed.v1", DealFieldsChangedV1().dump({
            "deal_id": deal_id, "pipeline": row["pipeline"], "fields": merged, "changed": sorted(custom),
            "changed_at": edited["updated_at"], "responsible_id": edited["responsible_id"]}))
        for code in custom:
            tx.record(Trigger("field_changed", row["pipeline"], deal_id, field=code))
    if "responsible_id" in changed and wanted["responsible_id"] is not None:
        announce_responsible(tx, deal_id, row["responsible_id"], wanted["responsible_id"], None, actor.user_id)


def update_fields(tx: Transaction, deal_id: int, changes: dict, actor: Actor) -> None:
    """Custom fields only (a move that fills fields, a rule's set_field)."""
    edit(tx, deal_id, {"fields": changes}, actor)


def move(tx: Transaction, deal_id: int, stage_code: str, actor: Actor, pipeline_code: str | None = None,
         origin: str | None = None) -> None:
    """Move a deal to a stage (of its own pipeline, or of `pipeline_code`); 422 lists missing fields.

    `origin`, a stage of the deal's current pipeline, is remembered for return_to_origin.
    """
    row = deal_row(tx.session, deal_id, for_update=True)
    origin_id = stage_row(tx.session, row["pipeline"], origin).id if origin else None
    target = stage_row(tx.session, pipeline_code or row["pipeline"], stage_code)
    if target.id == row["stage_id"]:
        return
    if target.archived_at is not None:
        raise Conflict(f"stage {target.code} is archived", {"stage": ["archived: not a place to move deals to"]})
    missing = missing_for_stage(list(target.required_fields), row["fields"])
    missing_documents = sorted(set(target.required_documents) - _document_kinds(tx.session, deal_id))
    if missing or missing_documents:
        raise Unprocessable(f"stage {stage_code} needs: {', '.join(missing + missing_documents)}",
                            {"missing_fields": missing, "missing_documents": missing_documents})
    closing = target.kind in ("won", "lost")
    tx.session.execute(sa.update(deals).where(deals.c.id == deal_id).values(
        **bumped(deals), pipeline_id=target.pipeline_id, stage_id=target.id, updated_at=sa.func.now(), stage_entered_at=sa.func.now(),
        result=target.code if closing else None, closed_at=sa.func.now() if closing else None,
        **({"origin_stage_id": origin_id} if origin else {}),
    ))
    moved = deal_row(tx.session, deal_id)
    log(tx, deal_id, "stage_changed", actor, from_pipeline=row["pipeline"], from_stage=row["stage"],
        to_pipeline=moved["pipeline"], to_stage=moved["stage"])
    tx.emit("deal.stage_changed.v1", DealStageChangedV1().dump({
        "deal_id": deal_id, "pipeline": moved["pipeline"], "from_stage": row["stage"], "to_stage": moved["stage"],
        "changed_at": moved["updated_at"], "from_pipeline": row["pipeline"], "to_kind": moved["stage_kind"],
        "rule_id": actor.rule_id, "responsible_id": moved["responsible_id"],
    }))
    tx.record(Trigger("entered_stage", moved["pipeline"], deal_id, stage=moved["stage"], from_stage=row["stage"]))
    if closing:
        tx.emit("deal.closed.v1", DealClosedV1().dump({
            "deal_id": deal_id, "pipeline": moved["pipeline"], "result": moved["stage"],
            "result_kind": moved["stage_kind"], "parent_deal_id": moved["parent_deal_id"],
            "responsible_id": moved["responsible_id"], "closed_at": moved["closed_at"], "amount": moved["amount"],
        }))
        if moved["parent_deal_id"]:
            parent = deal_row(tx.session, moved["parent_deal_id"])
            tx.record(Trigger("linked_deal_closed", parent["pipeline"], parent["id"], child_pipeline=moved["pipeline"],
                              child_result=moved["stage"], child_result_kind=moved["stage_kind"]))


def move_with_fields(tx: Transaction, deal_id: int, stage_code: str, fields: dict, actor: Actor) -> None:
    """A move that fills fields on the way: the fields first, so the stage's gate sees them."""
    if fields:
        update_fields(tx, deal_id, fields, actor)
    move(tx, deal_id, stage_code, actor)


def _document_kinds(session, deal_id: int) -> set[str]:
    return set(session.execute(sa.select(documents.c.kind).where(documents.c.deal_id == deal_id)).scalars())


def origin_of(session, deal_id: int) -> tuple[str, str] | None:
    row = session.execute(
        sa.select(pipelines.c.code, stages.c.code).join(stages, stages.c.pipeline_id == pipelines.c.id)
        .join(deals, deals.c.origin_stage_id == stages.c.id).where(deals.c.id == deal_id)).first()
    return tuple(row) if row else None


def task_dict(row) -> dict:
    return {"id": row["id"], "deal_id": row["deal_id"], "title": row["title"], "assignee_id": row["assignee_id"],
            "due_at": row["due_at"].isoformat(), "status": row["status"], "rule_id": row["rule_id"],
            "completed_at": row["completed_at"] and row["completed_at"].isoformat(), "version": row["version"],
            "archived_at": row["archived_at"] and row["archived_at"].isoformat()}


def list_deals(session, *, pipeline=None, stage=None, responsible_id=None, contact_id=None, parent_deal_id=None,
               open_only=False, no_planned_activity=False, q=None, overdue_tasks=False, tasks_due_from=None,
               tasks_due_to=None, archived=False, limit: int, offset: int) -> dict:
    query = row_query().where(archived_filter(deals, archived), *in_scope())
    for column, value in ((pipelines.c.code, pipeline), (stages.c.code, stage),
                          (deals.c.responsible_id, responsible_id), (deals.c.contact_id, contact_id),
                          (deals.c.parent_deal_id, parent_deal_id)):
        if value is not None:
            query = query.where(column == value)
    if open_only or no_planned_activity:
        query = query.where(deals.c.closed_at.is_(None))
    open_task = [tasks.c.deal_id == deals.c.id, tasks.c.status == "open", tasks.c.archived_at.is_(None)]
    if no_planned_activity:  # open deals with no open task: nobody will touch them
        query = query.where(~sa.exists().where(*open_task))
    if q:
        query = query.where(contains(deals.c.title, q))
    if overdue_tasks:
        query = query.where(sa.exists().where(*open_task, tasks.c.due_at < sa.func.now()))
    if tasks_due_from and tasks_due_to:  # open tasks due in [from, to): e.g. today
        query = query.where(sa.exists().where(*open_task, tasks.c.due_at >= tasks_due_from, tasks.c.due_at < tasks_due_to))
    total = session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(deals.c.id.desc()).limit(limit).offset(offset)).mappings()
    return {"items": [DealOutput().dump(row) for row in rows], "total": total, "limit": limit, "offset": offset}



def open_work_of(session, user_id: int) -> dict:
    """The open deals a user is responsible for: handed over before they may be archived."""
    ids = session.execute(sa.select(deals.c.id).where(deals.c.responsible_id == user_id, deals.c.closed_at.is_(None))
                          .order_by(deals.c.id)).scalars().all()
    return {"open_deals": ids}


def open_from_lead(tx: Transaction, lead: dict) -> None:
    """A converted lead opens its deal in the pipeline for its client type, once."""
    if tx.session.execute(sa.select(deals.c.id).where(deals.c.lead_id == lead["lead_id"])).first():
        return
    pipeline = tx.session.execute(sa.select(pipelines.c.code)
                                  .where(pipelines.c.client_type == lead["client_type"])).scalar()
    if pipeline is None:  # parked until an admin gives the client type its pipeline, then replayed
        raise ServiceError(f"no pipeline serves client type {lead['client_type']}")
    create_deal(tx, {
        "pipeline": pipeline, "title": lead["title"], "contact_id": lead["contact_id"],
        "company_id": lead["company_id"], "lead_id": lead["lead_id"], "responsible_id": lead["responsible_id"],
    }, Actor(label=f"lead:{lead['lead_id']}"))


def hand_over(tx: Transaction, batch_id: str, from_user: int, to_user: int, by_user_id: int | None = None) -> int:
    """Open deals follow their owner's clients to the substitute."""
    ids = tx.session.execute(sa.update(deals).where(deals.c.responsible_id == from_user, deals.c.closed_at.is_(None))
                             .values(responsible_id=to_user, **bumped(deals)).returning(deals.c.id)).scalars().all()
    for deal_id in ids:
        log(tx, deal_id, "responsible_changed", Actor(label="ownership"), batch_id=batch_id, from_user=from_user,
            to_user=to_user)
        announce_responsible(tx, deal_id, from_user, to_user, batch_id, by_user_id)
    return len(ids)


def hand_back(tx: Transaction, batch_id: str, substitute: int, owner: int, by_user_id: int | None = None) -> int:
    """What a batch handed over goes back, where the substitute still holds it."""
    handed = sa.select(deal_history.c.deal_id).where(deal_history.c.kind == "responsible_changed",
                                                     deal_history.c.details["batch_id"].astext == batch_id)
    ids = tx.session.execute(sa.update(deals).where(deals.c.id.in_(handed), deals.c.responsible_id == substitute)
                             .values(responsible_id=owner, **bumped(deals)).returning(deals.c.id)).scalars().all()
    for deal_id in ids:
        log(tx, deal_id, "responsible_returned", Actor(label="ownership"), batch_id=batch_id, to_user=owner)
        announce_responsible(tx, deal_id, substitute, owner, batch_id, by_user_id)
    return len(ids)


def booking_result(tx: Transaction, booking: dict) -> None:
    """A crew's job on a deal is done or failed: the deal's history says so and rules may act."""
    if booking["deal_id"] is None:
        return
    row = tx.session.execute(row_query().where(deals.c.id == booking["deal_id"])).mappings().first()
    if row is None:  # a booking for a deal this system does not hold
        return
    succeeded = booking["result"] == "success"
    log(tx, row["id"], "booking_completed" if succeeded else "booking_failed", Actor(label="scheduling"),
        booking_id=booking["booking_id"], failure_reason=booking["failure_reason"])
    tx.record(Trigger("booking_completed" if succeeded else "booking_failed", row["pipeline"], row["id"]))


def booking_news(tx: Transaction, news: dict, kind: str) -> None:
    """What scheduling did about a deal: a crew booked (by hand or on request), or no slot found."""
    if news["deal_id"] is None or tx.session.execute(sa.select(deals.c.id).where(deals.c.id == news["deal_id"])).first() is None:
        return
    log(tx, news["deal_id"], kind, Actor(label="scheduling"), booking_id=news["booking_id"],
        crew=news["crew_name"], starts_at=news["starts_at"], reason=news["reason"])
    deal = deal_row(tx.session, news["deal_id"])
    if kind == "booking_request_failed" and deal["responsible_id"]:
        tx.emit("deal.notification_requested.v1", NotificationRequestedV1().dump({
            "deal_id": deal["id"], "recipient_user_ids": [deal["responsible_id"]], "rule_id": None,
            "text": f"Бригаду по сделке «{deal['title']}» записать не удалось: {news['reason']}"}))


def announce_responsible(tx: Transaction, deal_id: int, from_user: int | None, to_user: int, batch_id: str,
                          by_user_id: int | None) -> None:
    title = tx.session.execute(sa.select(deals.c.title).where(deals.c.id == deal_id)).scalar_one()
    tx.emit("deal.responsible_changed.v1", DealResponsibleChangedV1().dump({
        "deal_id": deal_id, "from_user_id": from_user, "to_user_id": to_user, "batch_id": batch_id, "title": title,
        "by_user_id": by_user_id}))


def stages_of(session, deal_ids: list[int]) -> dict[str, dict]:
    """Where each deal stands, for views that colour by status (calendars): {deal id: stage}."""
    rows = session.execute(sa.select(deals.c.id, pipelines.c.code.label("pipeline"), stages.c.code, stages.c.name,
                                     stages.c.kind)
                           .join(pipelines, pipelines.c.id == deals.c.pipeline_id)
                           .join(stages, stages.c.id == deals.c.stage_id).where(deals.c.id.in_(deal_ids)))
    return {str(row.id): {"pipeline": row.pipeline, "stage": row.code, "stage_name": row.name, "stage_kind": row.kind}
            for row in rows}
