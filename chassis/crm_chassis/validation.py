"""Loading untrusted RPC input through a marshmallow schema, failing with field details."""
from marshmallow import Schema, ValidationError

from crm_chassis.errors import InvalidInput


def load(schema: Schema, payload) -> dict:
    try:
        return schema.load(payload)
    except ValidationError as exc:
        details = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise InvalidInput("invalid input", details) from None
