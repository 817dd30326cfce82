"""Prometheus metrics shared by every service process (one registry per process)."""
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

EVENTS_HANDLED = Counter(
    "crm_events_handled_total", "Events consumed, by handler and outcome", ["handler", "outcome"]
)
HANDLER_SECONDS = Histogram("crm_handler_seconds", "Event handler latency", ["handler"])
HANDLER_FAILURES = Counter("crm_handler_failures_total", "Failed handler attempts", ["handler"])
EVENTS_PUBLISHED = Counter("crm_outbox_published_total", "Events published by the outbox relay")
OUTBOX_BACKLOG = Gauge("crm_outbox_backlog", "Events committed but not yet published")
PARKED_EVENTS = Gauge("crm_parked_events", "Events parked after failing every retry")


def exposition() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
