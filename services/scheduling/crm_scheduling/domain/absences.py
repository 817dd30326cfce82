"""Absences (vacation, sick leave, dismissal): the time they block and the phase they are in."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KINDS = ("vacation", "sick_leave", "dismissal")
KIND_NAMES_RU = {"vacation": "отпуск", "sick_leave": "больничный", "dismissal": "увольнение"}
# A dismissal has no end: it blocks the calendar up to this far date.
FAR_FUTURE = date(2100, 1, 1)


def blocked_range(starts_on: date, ends_on: date | None, time_zone: str) -> tuple[datetime, datetime]:
    """From the first day's local midnight to the midnight after the last day, in UTC."""
    zone = ZoneInfo(time_zone)
    last = ends_on if ends_on is not None else FAR_FUTURE
    return (datetime.combine(starts_on, time(), tzinfo=zone).astimezone(UTC),
            datetime.combine(last + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC))


def phase(starts_on: date, ends_on: date | None, today: date) -> str:
    """"planned" before the first day, "current" from it through the last, then "ended"."""
    if today < starts_on:
        return "planned"
    if ends_on is not None and today > ends_on:
        return "ended"
    return "current"


def due_events(starts_on: date, ends_on: date | None, today: date, started: bool, ended: bool) -> list[str]:
    """The absence events not yet emitted that today's date calls for, in order."""
    now = phase(starts_on, ends_on, today)
    due = []
    if now in ("current", "ended") and not started:
        due.append("absence.started.v1")
    if now == "ended" and not ended:
        due.append("absence.ended.v1")
    return due


def refusal(kind: str, starts_on: date, ends_on: date | None) -> str:
    """Why a job overlapping this absence is refused, in Russian."""
    until = f" по {ends_on.strftime('%d.%m.%Y')}" if ends_on else ""
    return f"сотрудник бригады отсутствует ({KIND_NAMES_RU[kind]}) с {starts_on.strftime('%d.%m.%Y')}{until}"
