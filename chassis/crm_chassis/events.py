"""The event envelope every service publishes and every consumer reads.

`{event_id, event_type, occurred_at, producer, correlation_id, data}` with JSON primitives
only. Producers keep a marshmallow schema and an example per event type next to their code;
this module knows no event types.
"""
import uuid
from datetime import UTC, datetime

from marshmallow import EXCLUDE, Schema, fields


def make_envelope(event_type: str, data: dict, producer: str, correlation_id: str | None) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "producer": producer,
        "correlation_id": correlation_id,
        "data": data,
    }


class EnvelopeSchema(Schema):
    """The consumer's tolerant reading of an envelope: unknown keys are ignored."""

    class Meta:
        unknown = EXCLUDE

    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    producer = fields.String(required=True)
    correlation_id = fields.String(allow_none=True, load_default=None)
    data = fields.Dict(required=True)


def exchange_name(service: str) -> str:
    return f"{service}.events"
