"""ABC contact control (scenario S5): each company must be contacted within its category's interval.

A contact is a completed call (a missed, unanswered, failed or still planned call is not one)
or an e-mail, in or out. It counts for a company when the communication is linked to the
company itself, to one of its contacts, or to one of its leads or deals. A company is overdue
when the days since its last contact (company time zone) exceed its category's interval; a
company never contacted is overdue.
"""
from datetime import date

DEFAULT_INTERVALS = {"A": 14, "B": 30, "C": 60}
CONTACT_CALL_STATUS = "completed"
EMAIL_STATUSES = ("completed",)


def counts_as_contact(channel: str, status: str) -> str | None:
    """"call" or "email" when this communication is a contact, else None."""
    if channel == "call":
        return "call" if status == CONTACT_CALL_STATUS else None
    if channel == "email":
        return "email" if status in EMAIL_STATUSES else None
    return None


def last_contact(last_call: date | None, last_email: date | None) -> date | None:
    return max((day for day in (last_call, last_email) if day is not None), default=None)


def is_overdue(category: str, last_call: date | None, last_email: date | None, today: date,
               intervals: dict[str, int]) -> bool:
    latest = last_contact(last_call, last_email)
    if latest is None:
        return True
    return (today - latest).days > intervals.get(category, DEFAULT_INTERVALS["C"])


def overdue_share(rows: list[dict]) -> list[dict]:
    """Per responsible: companies, overdue companies and the overdue share in percent (one decimal)."""
    per_person: dict = {}
    for row in rows:
        total, overdue = per_person.get(row["responsible_id"], (0, 0))
        per_person[row["responsible_id"]] = (total + 1, overdue + bool(row["overdue"]))
    return [{"responsible_id": person, "companies": total, "overdue": overdue,
             "overdue_share": round(100 * overdue / total, 1)}
            for person, (total, overdue) in sorted(per_person.items(), key=lambda item: (item[0] is None, item[0]))]


def parse_intervals(text: str) -> dict[str, int]:
    """`A=14,B=30,C=60` -> {"A": 14, ...}; configuration, so a bad value fails at start-up."""
    intervals = dict(DEFAULT_INTERVALS)
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        category, _, days = part.partition("=")
        intervals[category.strip().upper()] = int(days)
    return intervals
