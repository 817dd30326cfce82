"""An outbound message's life: its idempotency key, its states, and what a send error means.

    pending -> sending -> queued -> sent -> delivered -> read
                  |          \\-> undelivered | failed      (terminal)
                  \\-> pending (a transient error: retried later) | failed
    pending -> cancelled (a superseded reminder) | opted_out (the recipient said STOP)

Provider callbacks arrive in any order and more than once: a status only ever moves forward.
"""
import hashlib
from dataclasses import dataclass

PENDING, SENDING, CANCELLED, OPTED_OUT = "pending", "sending", "cancelled", "opted_out"
QUEUED, SENT, DELIVERED, READ = "queued", "sent", "delivered", "read"
UNDELIVERED, FAILED = "undelivered", "failed"

# Rank on the road to the recipient; terminal states end the road.
PROGRESS = {PENDING: 0, SENDING: 1, QUEUED: 2, SENT: 3, DELIVERED: 4, READ: 5}
TERMINAL = {UNDELIVERED, FAILED, CANCELLED, OPTED_OUT, READ}
STATUSES = set(PROGRESS) | TERMINAL
# What a provider may report (Twilio's MessageStatus values we act on); others are ignored.
PROVIDER_STATUSES = {"accepted": QUEUED, "scheduled": QUEUED, "queued": QUEUED, "sending": SENT, "sent": SENT,
                     "delivered": DELIVERED, "read": READ, "undelivered": UNDELIVERED, "failed": FAILED}

MAX_ATTEMPTS = 5
FIRST_RETRY_SECONDS = 2.0
MAX_RETRY_SECONDS = 300.0


def erased_opt_out(address: str) -> str:
    """How an erased person's opt-out is kept: a one-way hash of the address, so the refusal still
    holds for that address while the address itself is gone."""
    return "sha256:" + hashlib.sha256(address.strip().lower().encode()).hexdigest()


class IllegalTransition(ValueError):
    pass


def idempotency_key(cause: str, channel: str, recipient: str, template: str) -> str:
    """The same cause, channel, recipient and template is the same message, however often asked."""
    for part in (cause, channel, recipient, template):
        if not part or "|" in part:
            raise ValueError(f"an idempotency key part must be non-empty and without '|': {part!r}")
    return "|".join((cause, channel, recipient, template))


def can_move(current: str, new: str) -> bool:
    if current not in STATUSES or new not in STATUSES:
        raise IllegalTransition(f"unknown status: {current} -> {new}")
    if current in TERMINAL:
        return False
    if new == PENDING:
        return current == SENDING  # a transient error hands the message back for a retry
    if new in (CANCELLED, OPTED_OUT):
        return current == PENDING
    if new in (UNDELIVERED, FAILED):
        return True
    return PROGRESS[new] > PROGRESS[current]


def after_callback(current: str, provider_status: str) -> str | None:
    """The new status after a provider's report, or None when the report changes nothing
    (stale, repeated or unknown to us)."""
    new = PROVIDER_STATUSES.get(provider_status)
    if new is None or new == current or not can_move(current, new):
        return None
    return new


@dataclass(frozen=True)
class SendError(Exception):
    """What a channel reports when a send did not succeed."""
    reason: str
    transient: bool


def after_error(error: SendError, attempts: int) -> tuple[str, float | None]:
    """(new status, seconds until the next attempt) after a failed attempt number `attempts`."""
    if not error.transient or attempts >= MAX_ATTEMPTS:
        return FAILED, None
    return PENDING, min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (attempts - 1))


def http_error_is_transient(status: int) -> bool:
    """A provider's 5xx or 429 may pass; any other 4xx (a bad number) will not."""
    return status >= 500 or status == 429
