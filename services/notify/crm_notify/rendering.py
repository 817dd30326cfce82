"""Russian message templates (Jinja2), one file per template and channel: `<template>.<channel>.j2`.

Each template declares the variables its cause provides (`DECLARED`). `check_templates()`
parses every file and refuses one that uses anything else, so a typo fails when the
service starts (and in the unit tests), never when a message is being sent.
"""
from datetime import datetime
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, meta
from nameko.extensions import DependencyProvider

BOOKING = frozenset({"booking_id", "crew_id", "crew_name", "leader_name", "leader_phone", "starts_at", "ends_at",
                     "previous_starts_at", "previous_ends_at", "reason", "deal_id", "address", "client_name",
                     "client_phone"})
DECLARED = {
    "message": frozenset({"text"}),
    "crew_new_job": BOOKING,
    "leader_new_job": BOOKING,
    "client_booked": BOOKING,
    "leader_rescheduled": BOOKING,
    "client_rescheduled": BOOKING,
    "leader_cancelled": BOOKING,
    "client_cancelled": BOOKING,
    "client_reminder": BOOKING,
    "membership_ending": frozenset({"client_name", "ends_on", "days_left"}),
    "deal_approval": frozenset({"deal_id", "title"}),
    "deal_task_overdue": frozenset({"deal_id", "title"}),
    "deal_responsible_changed": frozenset({"deal_id", "title"}),
    "ownership_reassigned": frozenset({"reason", "companies", "contacts", "leads"}),
}
CHANNELS = ("in_app", "sms", "whatsapp", "email", "telegram")


class TemplateProblem(ValueError):
    pass


def _local(value: str, timezone: str) -> datetime:
    return datetime.fromisoformat(str(value)).astimezone(ZoneInfo(timezone))  # str() fails on undefined


def _local_time(value: str, timezone: str, time_only: bool = False) -> str:
    return _local(value, timezone).strftime("%H:%M" if time_only else "%d.%m.%Y %H:%M")


def _local_date(value: str, timezone: str) -> str:
    return _local(value, timezone).strftime("%d.%m.%Y")


@cache
def environment(timezone: str) -> Environment:
    env = Environment(loader=PackageLoader("crm_notify", "templates"), undefined=StrictUndefined,
                      autoescape=False, keep_trailing_newline=False)
    env.filters["local_time"] = lambda value, time_only=False: _local_time(value, timezone, time_only)
    env.filters["local_date"] = lambda value: _local_date(value, timezone)
    return env


def render(template: str, channel: str, data: dict, timezone: str) -> str:
    return environment(timezone).get_template(f"{template}.{channel}.j2").render(**data).strip()


def problems(name: str, source: str, env: Environment) -> list[str]:
    """What is wrong with one template file's source (empty: nothing)."""
    template, _, channel = name.removesuffix(".j2").rpartition(".")
    if template not in DECLARED:
        return [f"{name}: no declared variables for template {template!r}"]
    if channel not in CHANNELS:
        return [f"{name}: unknown channel {channel!r}"]
    unknown = meta.find_undeclared_variables(env.parse(source)) - DECLARED[template]
    return [f"{name}: unknown variables {sorted(unknown)}"] if unknown else []


def check_templates(timezone: str = "UTC") -> int:
    """Every template file against its declared variables; raises TemplateProblem, else the count."""
    env = environment(timezone)
    found = []
    for path in files("crm_notify").joinpath("templates").iterdir():
        if path.name.endswith(".j2"):
            found += problems(path.name, path.read_text(encoding="utf-8"), env)
    if found:
        raise TemplateProblem("; ".join(found))
    return len(env.list_templates())


class Templates(DependencyProvider):
    """Checks every template when the service starts: a bad one stops the start, loudly."""

    def setup(self):
        check_templates(self.container.config.get("COMPANY_TIMEZONE", "UTC"))
