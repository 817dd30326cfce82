"""Working hours of a crew: a window per weekday, dated exceptions, a time zone.

Plain rules, no I/O. Hours are given as {"mon": ["09:00", "18:00"], "sun": None, ...} and
exceptions as {"2026-12-31": ["10:00", "15:00"], "2027-01-01": None} (None: a day off).
"""
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES_RU = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
DEFAULT_TIME_ZONE = "Europe/Moscow"
# A new crew works every day 09:00-18:00 until an admin sets its real hours.
DEFAULT_WORKING_HOURS = {day: ["09:00", "18:00"] for day in WEEKDAYS}


def _window(value: list[str] | None) -> tuple[time, time] | None:
    return None if value is None else (time.fromisoformat(value[0]), time.fromisoformat(value[1]))


@dataclass(frozen=True)
class WorkingHours:
    time_zone: ZoneInfo
    weekly: dict[int, tuple[time, time] | None]
    exceptions: dict[date, tuple[time, time] | None] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, time_zone: str, weekly: dict, exceptions: dict | None = None) -> "WorkingHours":
        return cls(
            ZoneInfo(time_zone),
            {number: _window(weekly.get(day)) for number, day in enumerate(WEEKDAYS)},
            {date.fromisoformat(day): _window(window) for day, window in (exceptions or {}).items()},
        )

    def window_on(self, day: date) -> tuple[datetime, datetime] | None:
        """The working window of a local day as UTC datetimes, or None on a day off."""
        local = self.exceptions[day] if day in self.exceptions else self.weekly[day.weekday()]
        if local is None:
            return None
        opens = datetime.combine(day, local[0], tzinfo=self.time_zone).astimezone(UTC)
        closes = datetime.combine(day, local[1], tzinfo=self.time_zone).astimezone(UTC)
        return opens, closes

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.time_zone).date()

    def refusal(self, starts_at: datetime, ends_at: datetime) -> str | None:
        """Why a job at [starts_at, ends_at) is outside working hours, in Russian; None if it fits."""
        day = self.local_day(starts_at)
        window = self.window_on(day)
        if window is None:
            return f"{day.strftime('%d.%m.%Y')} — нерабочий день бригады"
        if window[0] <= starts_at and ends_at <= window[1]:
            return None
        opens, closes = (moment.astimezone(self.time_zone).strftime("%H:%M") for moment in window)
        return (f"время вне рабочих часов бригады: {WEEKDAY_NAMES_RU[day.weekday()]} "
                f"{day.strftime('%d.%m.%Y')} {opens}–{closes}")


def days_between(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
