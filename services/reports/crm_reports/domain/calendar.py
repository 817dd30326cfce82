"""Days follow the company's time zone: an event at 22:30 UTC is tomorrow in Moscow."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def day_start(day: date, timezone: str) -> datetime:
    """The moment a local day begins (as an aware datetime)."""
    return datetime.combine(day, time.min, ZoneInfo(timezone))


def month_start(day: date) -> date:
    return day.replace(day=1)
