"""Automation rules as data: trigger -> conditions -> actions, validated when saved.

A rule watches the deals of one pipeline. Triggers: a deal created, entering a stage, a field
changed, a linked (child) deal closed, a task completed or overdue, a crew booking completed
or failed, an approval decided, and two that a timer checks: time in a stage exceeded, a date
field reached (`days_before` it; negative for days after). Actions: create a linked deal in
another pipeline, move this deal, move it by its child's result, move it to another pipeline
remembering where it came from, return it there, create a task, request an approval, request a
crew booking (scheduling books the first free slot for a skill), set a field, notify people. The engine that applies them lives in `crm_deals.automation`; this
module only decides.
"""
from dataclasses import dataclass, field

TRIGGERS = {
    "deal_created": (), "entered_stage": ("stage",), "field_changed": ("field",),
    "linked_deal_closed": ("child_pipeline",), "task_completed": (), "task_overdue": (),
    "booking_completed": (), "booking_failed": (), "approval_approved": (), "approval_rejected": (),
    # checked by a timer: a deal in `stage` longer than `hours`; today is `days_before` the date in `field`
    "time_in_stage_exceeded": ("stage", "hours"), "date_field_reached": ("field",),
}
TIMED_TRIGGERS = ("time_in_stage_exceeded", "date_field_reached")
OPERATORS = ("empty", "not_empty", "eq", "ne")
ACTIONS = {
    "create_linked_deal": ("pipeline",), "move": ("stage",), "move_by_child_result": ("stages",),
    "move_to_pipeline": ("pipeline", "stage"), "return_to_origin": (), "create_task": ("title",),
    "set_field": ("field",), "notify": ("text",), "request_approval": ("title",),
    "request_booking": ("skill", "duration_minutes"),
}
MAX_CHAIN_STEPS = 50


@dataclass(frozen=True)
class Trigger:
    kind: str
    pipeline: str
    deal_id: int | None = None
    stage: str | None = None
    from_stage: str | None = None
    field: str | None = None
    child_pipeline: str | None = None
    child_result: str | None = None       # the stage the child closed in
    child_result_kind: str | None = None  # won | lost


@dataclass(frozen=True)
class Rule:
    id: int
    version: int
    name: str
    pipeline: str
    trigger: dict
    conditions: tuple = ()
    actions: tuple = ()


@dataclass
class PipelineInfo:
    stages: dict[str, str]  # code -> kind
    fields: set[str] = field(default_factory=set)


def condition_holds(condition: dict, values: dict) -> bool:
    value = values.get(condition["field"])
    op = condition["op"]
    if op == "empty":
        return value in (None, "", [])
    if op == "not_empty":
        return value not in (None, "", [])
    if op == "eq":
        return value == condition.get("value")
    return value != condition.get("value")


def matches(rule: Rule, trigger: Trigger, values: dict) -> bool:
    spec = rule.trigger
    if rule.pipeline != trigger.pipeline or spec["type"] != trigger.kind:
        return False
    if trigger.kind in ("entered_stage", "time_in_stage_exceeded") and spec["stage"] != trigger.stage:
        return False
    if trigger.kind in ("field_changed", "date_field_reached") and spec["field"] != trigger.field:
        return False
    if trigger.kind == "linked_deal_closed":
        if spec["child_pipeline"] != trigger.child_pipeline:
            return False
        if spec.get("result") not in (None, trigger.child_result, trigger.child_result_kind):
            return False
    return all(condition_holds(condition, values) for condition in rule.conditions)


def stage_for_result(stages: dict, result: str | None, kind: str | None) -> str | None:
    """`{"won": "connected", "defects": "claims"}`: the child's closing stage first, then its kind."""
    return stages.get(result) or stages.get(kind)


def validate_definition(definition: dict, pipelines: dict[str, PipelineInfo]) -> dict[str, list[str]]:
    """Field-level problems of a rule definition against the pipelines as they are now."""
    errors: dict[str, list[str]] = {}

    def problem(where: str, message: str) -> None:
        errors.setdefault(where, []).append(message)

    own = pipelines.get(definition.get("pipeline"))
    if own is None:
        problem("pipeline", "unknown pipeline")
        return errors
    trigger = definition.get("trigger") or {}
    kind = trigger.get("type")
    if kind not in TRIGGERS:
        problem("trigger.type", f"one of: {', '.join(TRIGGERS)}")
    else:
        for key in TRIGGERS[kind]:
            if trigger.get(key) in (None, ""):
                problem(f"trigger.{key}", "required")
        if kind in ("entered_stage", "time_in_stage_exceeded") and trigger.get("stage") not in own.stages:
            problem("trigger.stage", "not a stage of this pipeline")
        if kind in ("field_changed", "date_field_reached") and trigger.get("field") not in own.fields:
            problem("trigger.field", "not a field of this pipeline")
        for key in ("hours", "days_before"):
            if key in trigger and (isinstance(trigger[key], bool) or not isinstance(trigger[key], (int, float))):
                problem(f"trigger.{key}", "must be a number")
        if kind == "linked_deal_closed" and trigger.get("child_pipeline") not in pipelines:
            problem("trigger.child_pipeline", "unknown pipeline")
    for i, condition in enumerate(definition.get("conditions") or []):
        if condition.get("field") not in own.fields:
            problem(f"conditions.{i}.field", "not a field of this pipeline")
        if condition.get("op") not in OPERATORS:
            problem(f"conditions.{i}.op", f"one of: {', '.join(OPERATORS)}")
    actions = definition.get("actions") or []
    if not actions:
        problem("actions", "at least one action")
    for i, action in enumerate(actions):
        kind = action.get("type")
        if kind not in ACTIONS:
            problem(f"actions.{i}.type", f"one of: {', '.join(ACTIONS)}")
            continue
        for key in ACTIONS[kind]:
            if action.get(key) in (None, "", {}):
                problem(f"actions.{i}.{key}", "required")
        target = pipelines.get(action.get("pipeline")) if "pipeline" in ACTIONS[kind] else own
        if target is None:
            problem(f"actions.{i}.pipeline", "unknown pipeline")
            continue
        if kind in ("move", "move_to_pipeline") and action.get("stage") not in target.stages:
            problem(f"actions.{i}.stage", "not a stage of that pipeline")
        if kind == "move_by_child_result":
            for result, stage in (action.get("stages") or {}).items():
                if stage not in own.stages:
                    problem(f"actions.{i}.stages.{result}", "not a stage of this pipeline")
        if kind == "set_field" and action.get("field") not in own.fields:
            problem(f"actions.{i}.field", "not a field of this pipeline")
        if kind == "create_linked_deal":
            for source, target_field in (action.get("copy_fields") or {}).items():
                if source not in own.fields or target_field not in target.fields:
                    problem(f"actions.{i}.copy_fields.{source}", "both fields must exist")
        if kind == "request_booking" and action.get("address_field", "address") not in own.fields:
            problem(f"actions.{i}.address_field", "not a field of this pipeline")
        if kind == "request_approval" and not isinstance(action.get("approver", "responsible"), (int, str)):
            problem(f"actions.{i}.approver", "a user id or responsible")
        if kind == "create_task" and not isinstance(action.get("due_in_hours", 24), (int, float)):
            problem(f"actions.{i}.due_in_hours", "must be a number")
    return errors
