"""Quiet hours: nobody gets a message at night. A message due then waits for the morning.

A window such as 21:00-09:00 (company time) wraps midnight; 13:00-14:00 does not. A message
due inside the window is deferred to the window's end on the right day.
"""
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> "QuietHours | None":
        """`21:00-09:00` -> QuietHours; an empty string -> None (no quiet hours)."""
        if not text.strip():
            return None
        start, sep, end = text.strip().partition("-")
        if not sep:
            raise ValueError(f"quiet hours must look like 21:00-09:00, not {text!r}")
        window = cls(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))
        if window.start == window.end:
            raise ValueError("quiet hours must not be empty or the whole day")
        return window

    def contains(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def defer(self, due: datetime, timezone: str) -> datetime:
        """When a message due at `due` (aware) may go out: `due` itself, or the window's end."""
        local = due.astimezone(ZoneInfo(timezone))
        if not self.contains(local.time()):
            return due
        end_day = local.date()
        if self.start > self.end and local.time() >= self.start:
            end_day += timedelta(days=1)  # evening: the window ends tomorrow morning
        end = datetime.combine(end_day, self.end, tzinfo=ZoneInfo(timezone))
        return end.astimezone(UTC)


def send_time(due: datetime, quiet: QuietHours | None, timezone: str) -> datetime:
    return due if quiet is None else quiet.defer(due, timezone)
