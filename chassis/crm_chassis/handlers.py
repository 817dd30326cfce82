"""`on_event`: nameko's event handler made idempotent, retried, and never silently dropped.

    @on_event("leads", "lead.created.v1")
    def count_lead(self, tx, event):   # tx: a db Transaction; event: the envelope
        ...

The handler runs in one transaction with its inbox row `(event_id, handler)`, so a
duplicate delivery changes nothing. A failing handler is retried with backoff and then
parked with its payload and error, for an operator to list and replay. Only when parking
itself fails (the database is down) is the message requeued by the broker.
"""
import functools

from nameko.events import event_handler

DEFAULT_RETRIES = 3
DEFAULT_BACKOFF_SECONDS = 0.2


def on_event(source_service: str, event_type: str, retries: int = DEFAULT_RETRIES,
             backoff: float = DEFAULT_BACKOFF_SECONDS):
    def decorator(apply):
        @functools.wraps(apply)
        def entrypoint(self, envelope):
            self.db.consume(apply.__name__, envelope, functools.partial(apply, self), retries, backoff)

        entrypoint.crm_apply = apply
        return event_handler(source_service, event_type, requeue_on_error=True)(entrypoint)

    return decorator
