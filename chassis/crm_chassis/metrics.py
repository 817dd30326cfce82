"""Prometheus metrics shared by every service process (one registry per process)."""
import os
import socket
from datetime import UTC, datetime

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

EVENTS_HANDLED = Counter(
    "crm_events_handled_total", "Events consumed, by handler and outcome", ["handler", "outcome"]
)
HANDLER_SECONDS = Histogram("crm_handler_seconds", "Event handler latency", ["handler"])
HANDLER_FAILURES = Counter("crm_handler_failures_total", "Failed handler attempts", ["handler"])
EVENTS_PUBLISHED = Counter("crm_outbox_published_total", "Events published by the outbox relay")
OUTBOX_BACKLOG = Gauge("crm_outbox_backlog", "Events committed but not yet published")
PARKED_EVENTS = Gauge("crm_parked_events", "Events parked after failing every retry")

# Which process answers: counters start again at zero in a new one.
PROCESS = {"host": socket.gethostname(), "pid": os.getpid(),
           "started_at": datetime.now(UTC).isoformat(timespec="seconds")}


def exposition() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST


def counters() -> dict[str, float]:
    """This process's totals, for a caller that takes rates between two looks (as Prometheus does)."""
    return {"events_published": _total(EVENTS_PUBLISHED), "events_handled": _total(EVENTS_HANDLED)}


def _total(counter: Counter) -> float:
    return sum(sample.value for metric in counter.collect() for sample in metric.samples
               if sample.name.endswith("_total"))
