"""A booking made, moved or cancelled: who is told what (domain.plans), stored once per event."""
from datetime import UTC, datetime

from crm_chassis.db import Transaction
from crm_notify import delivery
from crm_notify.domain import plans
from crm_notify.domain.quiet_hours import QuietHours


def tell(tx: Transaction, booking: dict, envelope: dict, change: str, timezone: str, quiet: QuietHours | None) -> None:
    reference = plans.booking_reference(booking)
    if plans.supersedes_reminders(change):
        delivery.cancel_reminders(tx, reference, plans.REMINDER)
    for planned in plans.booking_messages(change, booking, datetime.now(UTC)):
        delivery.enqueue(
            tx, channel=planned.channel, recipient=planned.recipient, template=planned.template, data=booking,
            cause=f"event:{envelope['event_id']}", due=planned.due, deal_id=booking["deal_id"], reference=reference,
            timezone=timezone, quiet=quiet,
        )
