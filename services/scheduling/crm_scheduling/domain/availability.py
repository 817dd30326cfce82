"""Free slots: working hours minus absences, bookings and live holds, with a travel buffer.

Plain Python: the caller loads the crews and their busy intervals (two queries) and gets
back the earliest `limit` slots over all crews, earliest first.
"""
import heapq
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from crm_scheduling.domain.hours import WorkingHours, days_between


@dataclass(frozen=True)
class Busy:
    starts_at: datetime
    ends_at: datetime
    travel: bool  # a job (booking or hold) needs a travel buffer around it; an absence does not


@dataclass(frozen=True)
class Crew:
    crew_id: int
    hours: WorkingHours
    busy: tuple[Busy, ...]


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    crew_id: int


def _ceil(moment: datetime, step: timedelta) -> datetime:
    """Round up to a multiple of `step` since the UTC epoch (whole hours and halves stay whole)."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    steps = -((epoch - moment) // step)
    return epoch + steps * step


def crew_slots(crew: Crew, first_day: date, last_day: date, duration: timedelta, buffer: timedelta,
               step: timedelta, not_before: datetime):
    """Every free slot of one crew in order; a slot keeps `buffer` away from other jobs."""
    blocks = sorted(((b.starts_at - buffer, b.ends_at + buffer) if b.travel else (b.starts_at, b.ends_at))
                    for b in crew.busy)
    for day in days_between(first_day, last_day):
        window = crew.hours.window_on(day)
        if window is None:
            continue
        opens, closes = window
        start = _ceil(max(opens, not_before), step)
        for block_start, block_end in blocks:
            if block_end <= start:
                continue
            while start + duration <= min(block_start, closes):
                yield Slot(start, start + duration, crew.crew_id)
                start += step
            if block_start >= closes:
                break
            start = max(start, _ceil(block_end, step))
        while start + duration <= closes:
            yield Slot(start, start + duration, crew.crew_id)
            start += step


def free_slots(crews: list[Crew], first_day: date, last_day: date, duration: timedelta, buffer: timedelta,
               step: timedelta, not_before: datetime, limit: int) -> list[Slot]:
    """The earliest `limit` free slots over all crews, by start time, then crew id."""
    streams = [crew_slots(crew, first_day, last_day, duration, buffer, step, not_before) for crew in crews]
    merged = heapq.merge(*streams, key=lambda slot: (slot.starts_at, slot.crew_id))
    return list(itertools.islice(merged, limit))
