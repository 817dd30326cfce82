"""`on_event`: nameko's event handler made idempotent, retried, and never silently dropped.

    @on_event("leads", "lead.created.v1", LeadCreatedReading)
    def count_lead(self, tx, lead, envelope):
        ...

`tx` is a db Transaction, `lead` the event's data as the consumer's reading (a
`crm_chassis.events.Reading` from the service's readings.py) loaded it, `envelope` the event
as received, for its event_id, event_type and occurred_at. An event whose envelope or data
does not load is parked at once with the reason: no retry can make it load.

The handler runs in one transaction with its inbox row `(event_id, handler)`, so a
duplicate delivery changes nothing. A failing handler is retried with backoff and then
parked with its payload and error, for an operator to list and replay. Only when parking
itself fails (the database is down) is the message requeued by the broker.

The entrypoint keeps the handler as `crm_apply` and its reading as `crm_reading`: replay
and the contract test find both on the service class.
"""
import functools

from nameko.events import event_handler

from crm_chassis.events import Reading

DEFAULT_RETRIES = 3
DEFAULT_BACKOFF_SECONDS = 0.2


def on_event(source_service: str, event_type: str, reading: type[Reading], retries: int = DEFAULT_RETRIES,
             backoff: float = DEFAULT_BACKOFF_SECONDS):
    def decorator(apply):
        @functools.wraps(apply)
        def entrypoint(self, envelope):
            self.db.consume(apply.__name__, envelope, reading(), functools.partial(apply, self), retries, backoff)

        entrypoint.crm_apply = apply
        entrypoint.crm_reading = reading
        return event_handler(source_service, event_type, requeue_on_error=True)(entrypoint)

    return decorator
