"""Editing and archiving deals, tasks and stages: what an edit changes, and what depends on a stage.

Values are compared as events carry them (money as strings with two decimals, times as ISO text),
so an amount typed as 1500 equals the stored 1500.00 and changes nothing.
"""
from datetime import datetime
from decimal import Decimal

DEAL_FIELDS = ("title", "amount", "responsible_id", "contact_id", "company_id")
TASK_FIELDS = ("title", "due_at", "assignee_id")


def plain(values: dict) -> dict:
    """The values as JSON primitives, the way events carry them."""
    def one(value):
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        if isinstance(value, datetime):
            return value.isoformat()
        return value
    return {name: one(value) for name, value in values.items()}


def custom_field_changes(current: dict, normalized: dict) -> dict:
    """The custom fields an edit changes: `{code: {"from": old, "to": new}}`, only those that move."""
    return {code: {"from": current.get(code), "to": value} for code, value in normalized.items()
            if current.get(code) != value}


def names_stage(definition: dict, pipeline: str, stage: str) -> bool:
    """Whether a rule's definition refers to `stage` of `pipeline`: as its trigger or as a move's target."""
    own = definition.get("pipeline") == pipeline
    trigger = definition.get("trigger") or {}
    if own and trigger.get("type") in ("entered_stage", "time_in_stage_exceeded") and trigger.get("stage") == stage:
        return True
    for action in definition.get("actions") or []:
        kind = action.get("type")
        if kind == "move" and own and action.get("stage") == stage:
            return True
        if kind == "move_to_pipeline" and action.get("pipeline") == pipeline and action.get("stage") == stage:
            return True
        if kind == "move_by_child_result" and own and stage in (action.get("stages") or {}).values():
            return True
    return False
