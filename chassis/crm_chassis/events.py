"""The event envelope every service publishes and every consumer reads.

`{event_id, event_type, occurred_at, producer, correlation_id, actor, data}` with JSON
primitives only; `actor` (who made the change, for the audit trail) may be absent in older events. Producers keep a marshmallow schema and an example per event type next to their code;
this module knows no event types. A consumer reads an event's data with its own `Reading`.
"""
import uuid
from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate


ACTOR_KINDS = ("user", "rule", "import", "system", "api_key")


def actor(kind: str, id: int | str | None = None, label: str | None = None, **more) -> dict:
    """Who makes a change: `{kind, id, label}` plus `role` for a user, `rule_id` and
    `rule_version` for a rule; `label` says it in a word (`user:7`, `rule:3 v2`, a file name)."""
    assert kind in ACTOR_KINDS, kind
    return {"kind": kind, "id": id, "label": label or (f"{kind}:{id}" if id is not None else kind), **more}


# Names the keys of `data` a consumer may use but must never store (an erasure's identifiers):
# the relay strips them from its outbox row once published, and no consumer keeps such an event.
TRANSIENT = "transient"


def make_envelope(event_type: str, data: dict, producer: str, correlation_id: str | None,
                  transient: tuple[str, ...] = (), *, actor: dict | None = None) -> dict:
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
    if actor is not None:
        envelope["actor"] = actor
    return envelope


def without_transient(envelope: dict) -> dict:
    """The envelope as it may be kept: its transient data keys removed."""
    transient = envelope.get(TRANSIENT) or []
    return {**envelope, "data": {key: value for key, value in envelope["data"].items() if key not in transient}}


class Change(Schema):
    """One field's change by the house's convention: `{"from": old, "to": new}`."""

    from_ = fields.Raw(data_key="from", attribute="from", allow_none=True)
    to = fields.Raw(allow_none=True)


def changes_field(**kwargs) -> fields.Dict:
    """An event's `changes`: `{field: {"from", "to"}}`, for the producer's schema."""
    return fields.Dict(keys=fields.String(), values=fields.Nested(Change), **kwargs)



class Reading(Schema):
    """A consumer's tolerant reading of what another service published: unknown keys are
    ignored, so a producer's additive change never breaks it. Each consumer keeps its
    readings of event data in its `readings.py`."""

    class Meta:
        unknown = EXCLUDE


class ActorSchema(Reading):
    kind = fields.String(required=True, validate=validate.OneOf(ACTOR_KINDS))
    id = fields.Raw(allow_none=True, load_default=None)
    label = fields.String(allow_none=True, load_default=None)
    role = fields.String(allow_none=True, load_default=None)
    rule_id = fields.Integer(allow_none=True, load_default=None)
    rule_version = fields.Integer(allow_none=True, load_default=None)


class EnvelopeSchema(Reading):
    """The reading of an envelope every consumer shares."""

    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    producer = fields.String(required=True)
    correlation_id = fields.String(allow_none=True, load_default=None)
    actor = fields.Nested(ActorSchema, allow_none=True, load_default=None)
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
