"""Who is told what when a booking is made, moved or cancelled: plain data in, planned messages out."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

REMINDER = "client_reminder"
REMIND_BEFORE = timedelta(days=1)
MEMBERSHIP_REMINDER_AT = time(10, 0)


@dataclass(frozen=True)
class Planned:
    channel: str
    recipient: str
    template: str
    due: datetime | None = None  # None: now


LEADER_TEMPLATES = {"created": "leader_new_job", "rescheduled": "leader_rescheduled", "cancelled": "leader_cancelled"}
CLIENT_TEMPLATES = {"created": "client_booked", "rescheduled": "client_rescheduled", "cancelled": "client_cancelled"}


def booking_reference(booking: dict) -> str:
    return f"booking:{booking['booking_id']}"


def booking_messages(change: str, booking: dict, now: datetime) -> list[Planned]:
    """The messages a booking change causes; only those the data allows (a phone to send to).

    `changed` (the client's details edited) tells nobody at once: the crew sees it in its jobs; only
    the client's reminder is written again, to the number and with the details as they are now."""
    planned = []
    if change == "created":
        planned.append(Planned("in_app", f"crew:{booking['crew_id']}", "crew_new_job"))
    if booking.get("leader_phone") and change in LEADER_TEMPLATES:
        planned.append(Planned("sms", booking["leader_phone"], LEADER_TEMPLATES[change]))
    if booking.get("client_phone"):
        if change in CLIENT_TEMPLATES:
            planned.append(Planned("sms", booking["client_phone"], CLIENT_TEMPLATES[change]))
        remind_at = datetime.fromisoformat(booking["starts_at"]) - REMIND_BEFORE
        if change != "cancelled" and remind_at > now:
            planned.append(Planned("sms", booking["client_phone"], REMINDER, due=remind_at))
    return planned


def supersedes_reminders(change: str) -> bool:
    """A moved, cancelled or edited booking's earlier reminders must not go out."""
    return change in ("rescheduled", "cancelled", "changed")


def membership_reminder_due(ends_on: date, days_before: int, timezone: str) -> datetime:
    """`days_before` the membership ends, at 10:00 company time."""
    return datetime.combine(ends_on - timedelta(days=days_before), MEMBERSHIP_REMINDER_AT, tzinfo=ZoneInfo(timezone))
