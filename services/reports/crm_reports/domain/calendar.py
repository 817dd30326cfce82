"""Days follow the company's time zone: an event at 22:30 UTC is tomorrow in Moscow."""
from datetime import date, datetime
from zoneinfo import ZoneInfo


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()
