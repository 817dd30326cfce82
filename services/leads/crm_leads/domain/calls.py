"""Statuses from providers, mapped to ours; repeated events for one call only move forward."""

FINAL = ("completed", "missed", "no_answer", "failed")
RANK = {"planned": 0, "in_progress": 1, **{status: 2 for status in FINAL}}

# Twilio's CallStatus values and Asterisk's CDR dispositions (lower-cased, spaces as dashes).
CALL_STATUS = {
    "queued": "in_progress", "initiated": "in_progress", "ringing": "in_progress", "in-progress": "in_progress",
    "answered": "completed", "completed": "completed", "busy": "no_answer", "no-answer": "no_answer",
    "canceled": "no_answer", "failed": "failed", "congestion": "failed",
}


class UnknownStatus(ValueError):
    pass


def communication_status(channel: str, provider_status: str, direction: str, duration_seconds: int | None) -> str:
    """A message that reached us is complete; a call's status follows from the provider's."""
    if channel != "call":
        return "completed"
    return call_status(provider_status, direction, duration_seconds)


def call_status(provider_status: str, direction: str, duration_seconds: int | None) -> str:
    """Our status of a call: an inbound call nobody answered is missed, an outbound one no_answer."""
    status = CALL_STATUS.get(provider_status.strip().lower().replace("_", "-").replace(" ", "-"))
    if status is None:
        raise UnknownStatus(f"unknown call status: {provider_status}")
    if status == "completed" and not duration_seconds:
        status = "no_answer"
    if status == "no_answer" and direction == "in":
        status = "missed"
    return status


def merged_status(stored: str, incoming: str) -> str:
    """Events arrive out of order and twice: a final status is never replaced by an earlier one."""
    return incoming if RANK[incoming] >= RANK[stored] and stored not in FINAL else stored
