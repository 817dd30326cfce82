"""The event envelope every service publishes and every consumer reads.

`{event_id, event_type, occurred_at, producer, correlation_id, data}` with JSON primitives
only. Producers keep a marshmallow schema and an example per event type next to their code;
this module knows no event types. A consumer reads an event's data with its own `Reading`.
"""
import uuid
from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields


# Names the keys of `data` a consumer may use but must never store (an erasure's identifiers):
# the relay strips them from its outbox row once published, and no consumer keeps such an event.
TRANSIENT = "transient"


def make_envelope(event_type: str, data: dict, producer: str, correlation_id: str | None,
                  transient: tuple[str, ...] = ()) -> dict:
    envelope = {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "producer": producer,
        "correlation_id": correlation_id,
        "data": data,
    }
    if transient:
        envelope[TRANSIENT] = list(transient)
    return envelope


def without_transient(envelope: dict) -> dict:
    """The envelope as it may be kept: its transient data keys removed."""
    transient = envelope.get(TRANSIENT) or []
    return {**envelope, "data": {key: value for key, value in envelope["data"].items() if key not in transient}}


class Reading(Schema):
    """A consumer's tolerant reading of what another service published: unknown keys are
    ignored, so a producer's additive change never breaks it. Each consumer keeps its
    readings of event data in its `readings.py`."""

    class Meta:
        unknown = EXCLUDE


class EnvelopeSchema(Reading):
    """The reading of an envelope every consumer shares."""

    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    producer = fields.String(required=True)
    correlation_id = fields.String(allow_none=True, load_default=None)
    data = fields.Dict(required=True)


class Unreadable(Exception):
    """An event its consumer cannot read: no retry makes it load, so it is parked with this reason."""


def read_event(envelope: Any, reading: Schema) -> Any:
    """The event's data as the consumer's `reading` loads it, once the envelope around it is sound."""
    try:
        EnvelopeSchema().load(envelope)
    except (ValidationError, TypeError) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else str(exc)
        raise Unreadable(f"malformed envelope: {messages}") from None
    try:
        return reading.load(envelope["data"])
    except ValidationError as exc:
        raise Unreadable(f"unreadable data: {exc.messages}") from None


def exchange_name(service: str) -> str:
    return f"{service}.events"
