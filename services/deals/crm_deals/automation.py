"""Automation: rules saved as versioned data, and the engine that applies them.

Changes record their triggers on the transaction (`tx.record(Trigger(...))`); the deals service
runs `run` before every commit (its database's `before_commit`), so no write path decides whether
rules fire. One chain per transaction takes the recorded triggers in the order they happened, and
those its actions record, with the rule versions read once per transaction; it sees the deals as
the whole change left them (a move with fields: the field rules run after the move). Every
automatic change is in the deal's history with the rule and version that made it. A rule fires at
most once per deal and trigger within a chain, and a chain stops after MAX_CHAIN_STEPS firings:
loops end, and say so in the history.
"""
import sqlalchemy as sa

from crm_chassis import context
from crm_chassis.db import Transaction
from crm_chassis.events import actor as event_actor
from crm_chassis.errors import InvalidInput, NotFound, ServiceError
from crm_deals import approvals, deals, pipelines, tasks
from crm_deals.deals import Actor, deal_row, log
from crm_deals.domain.automation import MAX_CHAIN_STEPS, Rule, Trigger, matches, stage_for_result, validate_definition
from crm_deals.events import (AutomationRuleSavedV1, AutomationRuleSwitchedV1, BookingRequestedV1,
                              NotificationRequestedV1)
from crm_deals.tables import automation_rule_versions, automation_rules, deal_history


# -- rules as data ------------------------------------------------------------------------

def save_rule(tx: Transaction, definition: dict, rule_id: int | None = None) -> dict:
    """Validate against the pipelines as they are, then store as a new version."""
    errors = validate_definition(definition, pipelines.infos(tx.session))
    if errors:
        raise InvalidInput("invalid rule", errors)
    before = None
    if rule_id is None:
        rule_id = tx.session.execute(sa.insert(automation_rules).values(name=definition["name"], version=1)
                                     .returning(automation_rules.c.id)).scalar_one()
        version = 1
    else:
        before = tx.session.execute(_current().where(automation_rules.c.id == rule_id)).mappings().first()
        version = tx.session.execute(
            sa.update(automation_rules).where(automation_rules.c.id == rule_id)
            .values(name=definition["name"], version=automation_rules.c.version + 1, updated_at=sa.func.now())
            .returning(automation_rules.c.version)).scalar()
        if version is None:
            raise NotFound(f"rule {rule_id} not found", {"rule_id": rule_id})
    tx.session.execute(sa.insert(automation_rule_versions).values(rule_id=rule_id, version=version,
                                                                  definition=definition))
    tx.emit("automation_rule.saved.v1", AutomationRuleSavedV1().dump({
        "automation_rule_id": rule_id, "version": version, "name": definition["name"],
        "changes": {"definition": {"from": before and before["definition"], "to": definition}}}))
    return get_rule(tx.session, rule_id)


def set_active(tx: Transaction, rule_id: int, active: bool) -> dict:
    switched = tx.session.execute(
        sa.update(automation_rules).where(automation_rules.c.id == rule_id, automation_rules.c.active != active)
        .values(active=active).returning(automation_rules.c.version)).scalar()
    rule = get_rule(tx.session, rule_id)
    if switched is not None:
        tx.emit(f"automation_rule.{'activated' if active else 'deactivated'}.v1",
                AutomationRuleSwitchedV1().dump({"automation_rule_id": rule_id, "version": switched}))
    return rule


def _current():
    return (sa.select(automation_rules, automation_rule_versions.c.definition)
            .join(automation_rule_versions, sa.and_(automation_rule_versions.c.rule_id == automation_rules.c.id,
                                                    automation_rule_versions.c.version == automation_rules.c.version)))


def _rule_dict(row) -> dict:
    return {"id": row["id"], "name": row["name"], "version": row["version"], "active": row["active"],
            "definition": row["definition"], "updated_at": row["updated_at"].isoformat()}


def get_rule(session, rule_id: int) -> dict:
    row = session.execute(_current().where(automation_rules.c.id == rule_id)).mappings().first()
    if row is None:
        raise NotFound(f"rule {rule_id} not found", {"rule_id": rule_id})
    return _rule_dict(row)


def list_rules(session) -> list[dict]:
    return [_rule_dict(row) for row in session.execute(_current().order_by(automation_rules.c.id)).mappings()]


_ACTIVE_RULES = "crm_deals.active_rules"  # where the transaction's snapshot is kept, in its session's info


def active_rules(tx: Transaction) -> list[Rule]:
    """The active rules at their current versions, read once per transaction: the snapshot its chain runs with."""
    if _ACTIVE_RULES not in tx.session.info:
        rows = tx.session.execute(_current().where(automation_rules.c.active).order_by(automation_rules.c.id))
        tx.session.info[_ACTIVE_RULES] = [
            Rule(row["id"], row["version"], row["name"], row["definition"]["pipeline"], row["definition"]["trigger"],
                 tuple(row["definition"].get("conditions") or ()), tuple(row["definition"]["actions"]))
            for row in rows.mappings()]
    return tx.session.info[_ACTIVE_RULES]


# -- the engine ---------------------------------------------------------------------------

class _Values(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _text(template: str, deal, trigger: Trigger) -> str:
    return template.format_map(_Values(title=deal["title"], id=deal["id"], stage=deal["stage_name"],
                                       child_result=trigger.child_result or "", **deal["fields"]))


def run(tx: Transaction) -> None:
    """The chain: every trigger recorded on `tx`, then each one its actions record, until none is left."""
    rules, fired = active_rules(tx), set()
    while (trigger := tx.next_recorded()) is not None:
        deal = deal_row(tx.session, trigger.deal_id)
        for rule in rules:
            if not matches(rule, trigger, deal["fields"]):
                continue
            key = (rule.id, trigger.deal_id, trigger.kind, trigger.stage, trigger.field, trigger.child_result)
            actor = Actor(rule_id=rule.id, rule_version=rule.version)
            author = event_actor("rule", rule.id, f"{rule.name} v{rule.version}", rule_id=rule.id,
                                 rule_version=rule.version)
            if key in fired or len(fired) >= MAX_CHAIN_STEPS:
                log(tx, deal["id"], "automation_stopped", actor, reason="loop guard", trigger=trigger.kind)
                continue
            fired.add(key)
            for action in rule.actions:
                deal = deal_row(tx.session, trigger.deal_id)
                try:
                    with tx.savepoint(), context.acting_as(author):
                        _perform(tx, action, deal, trigger, actor)
                except ServiceError as refused:  # a gate holds for rules too: recorded, not forced
                    log(tx, deal["id"], "automation_refused", actor, action=action["type"], reason=refused.message,
                        details=refused.details)


def _perform(tx: Transaction, action: dict, deal, trigger: Trigger, actor: Actor) -> None:
    step = ACTION_STEPS.get(action["type"])
    if step is None:  # saved rules are validated; this is a rule written before its action was retired
        raise ServiceError(f"unknown action {action['type']}")
    step(tx, action, deal, trigger, actor)


# -- the actions: each `(tx, action, deal, trigger, actor)`; what they change records its own triggers

def _create_linked_deal(tx: Transaction, action: dict, deal, trigger: Trigger, actor: Actor) -> None:
    child_fields = {target: deal["fields"].get(source) for source, target in (action.get("copy_fields") or {}).items()}
    child_id = deals.create_deal(tx, {
        "pipeline": action["pipeline"], "title": _text(action.get("title") or "{title}", deal, trigger),
        "contact_id": deal["contact_id"], "company_id": deal["company_id"], "parent_deal_id": deal["id"],
        "responsible_id": deal["responsible_id"], "fields": {k: v for k, v in child_fields.items() if v is not None},
    }, actor)
    log(tx, deal["id"], "linked_deal_created", actor, child_deal_id=child_id, pipeline=action["pipeline"])


def _move(tx: Transaction, action: dict, deal, trigger: Trigger, actor: Actor) -> None:
    deals.move(tx, deal["id"], action["stage"], actor)


def _move_by_child_result(tx: Transaction, action: dict, deal, trigger: Trigger, actor: Actor) -> None:
    stage = stage_for_result(action["stages"], trigger.child_result, trigger.child_result_kind)
    if stage:
        deals.move(tx, deal["id"], stage, actor)


def _move_to_pipeline(tx: Transaction, action: dict, deal, trigger: Trigger, actor: Actor) -> None:
    origin = trigger.from_stage if trigger.kind == "entered_stage" else deal["stage"]
    deals.move(tx, deal["id"], action["stage"], actor, pipeline_code=action["pipeline"], origin=origin)


def _return_to_origin(tx: Transaction, action: dict, deal, trigger: Trigger, actor: Actor) -> None:
    origin = deals.origin_of(tx.session, deal["id"])
    if origin is None:
        raise ServiceError("the deal has no stage to return to")
    deals.move(tx, deal["id"], origin[1], actor, pipeline_code=origin[0])


def _create_task(tx: Transaction, action: dict, deal, trigger: Trigger, actor: Actor) -> None:
    tasks.task_from_rule(tx, deal["id"], action, actor)


def _request_booking(tx: Transaction, action: dict, deal, trigger: Trigger, actor: Actor) -> None:
    address = deal["fields"].get(action.get("address_field", "address"))
    if not address:
        raise ServiceError("the deal has no address for the crew",
                           {"missing_fields": [action.get("address_field", "address")]})
    tx.emit("deal.booking_requested.v1", BookingRequestedV1().dump({
        "deal_id": deal["id"], "skill": action["skill"], "zone": action.get("zone"),
        "duration_minutes": action["duration_minutes"], "within_days": action.get("within_days", 7),
        "address": address, "title": deal["title"]}))
    log(tx, deal["id"], "booking_requested", actor, skill=action["skill"])


def _request_approval(tx: Transaction, action: dict, deal, trigger: Trigger, actor: Actor) -> None:
    approvals.from_rule(tx, deal, action, actor)


def _set_field(tx: Transaction, action: dict, deal, trigger: Trigger, actor: Actor) -> None:
    deals.update_fields(tx, deal["id"], {action["field"]: action.get("value")}, actor)


def _notify(tx: Transaction, action: dict, deal, trigger: Trigger, actor: Actor) -> None:
    recipients = _recipients(tx, deal, action.get("recipients") or ["responsible"])
    text = _text(action["text"], deal, trigger)
    tx.emit("deal.notification_requested.v1", NotificationRequestedV1().dump({
        "deal_id": deal["id"], "recipient_user_ids": recipients, "text": text, "rule_id": actor.rule_id}))
    log(tx, deal["id"], "notification_requested", actor, recipients=recipients, text=text)


def _recipients(tx: Transaction, deal, names: list) -> list[int]:
    found = []
    for name in names:
        if isinstance(name, int):
            found.append(name)
        elif name == "responsible" and deal["responsible_id"]:
            found.append(deal["responsible_id"])
        elif name == "parent_responsible" and deal["parent_deal_id"]:
            parent = deal_row(tx.session, deal["parent_deal_id"])
            if parent["responsible_id"]:
                found.append(parent["responsible_id"])
    return sorted(set(found))


ACTION_STEPS = {
    "create_linked_deal": _create_linked_deal, "move": _move, "move_by_child_result": _move_by_child_result,
    "move_to_pipeline": _move_to_pipeline, "return_to_origin": _return_to_origin, "create_task": _create_task,
    "request_booking": _request_booking, "request_approval": _request_approval, "set_field": _set_field,
    "notify": _notify,
}


def dry_run(tx: Transaction, deal_id: int, stage: str, fields: dict, actor: Actor) -> dict:
    """What would happen if the deal moved to `stage`: the real change and its chain, rehearsed and undone."""
    last = tx.session.execute(sa.select(sa.func.coalesce(sa.func.max(deal_history.c.id), 0))).scalar_one()
    try:
        with tx.savepoint(undo=True):
            deals.move_with_fields(tx, deal_id, stage, fields, actor)
            run(tx)
            entries = tx.session.execute(sa.select(deal_history).where(deal_history.c.id > last)
                                         .order_by(deal_history.c.id)).mappings().all()
    except ServiceError as refused:
        return {"would_move": False, "reason": refused.message, "details": refused.details, "effects": []}
    return {"would_move": True, "effects": [
        {"deal_id": e["deal_id"], "kind": e["kind"], "details": e["details"], "rule_id": e["rule_id"],
         "rule_version": e["rule_version"]} for e in entries]}
