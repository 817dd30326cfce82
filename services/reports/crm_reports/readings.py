"""How reports reads other services' events: tolerant schemas, only the fields it uses."""
from marshmallow import EXCLUDE, Schema, fields


class LeadCreatedReading(Schema):
    class Meta:
        unknown = EXCLUDE

    source = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


READINGS = {("leads", "lead.created.v1"): LeadCreatedReading}
