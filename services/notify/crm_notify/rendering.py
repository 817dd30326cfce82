"""Russian message templates (Jinja2), one file per template and channel."""
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined


def _local_time(value: str, timezone: str, time_only: bool = False) -> str:
    moment = datetime.fromisoformat(str(value)).astimezone(ZoneInfo(timezone))  # str() fails on undefined
    return moment.strftime("%H:%M" if time_only else "%d.%m.%Y %H:%M")


@cache
def environment(timezone: str) -> Environment:
    env = Environment(loader=PackageLoader("crm_notify", "templates"), undefined=StrictUndefined,
                      autoescape=False, keep_trailing_newline=False)
    env.filters["local_time"] = lambda value, time_only=False: _local_time(value, timezone, time_only)
    return env


def render(template: str, channel: str, data: dict, timezone: str) -> str:
    return environment(timezone).get_template(f"{template}.{channel}.j2").render(**data).strip()
