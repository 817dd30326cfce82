"""How leads reads other services' events: tolerant schemas, only the fields it uses."""
from marshmallow import EXCLUDE, Schema, fields


class AbsenceReading(Schema):
    """An absence of a person; only people who are CRM users (`user_id`) own clients."""

    class Meta:
        unknown = EXCLUDE

    absence_id = fields.Raw(required=True)
    user_id = fields.Integer(load_default=None, allow_none=True)
    kind = fields.String(load_default="absence")


class DealReading(Schema):
    class Meta:
        unknown = EXCLUDE

    deal_id = fields.Integer(required=True)
    contact_id = fields.Integer(load_default=None, allow_none=True)


READINGS = {
    ("deals", "deal.created.v1"): DealReading,
    ("deals", "deal.closed.v1"): DealReading,
    ("scheduling", "absence.started.v1"): AbsenceReading,
    ("scheduling", "absence.ended.v1"): AbsenceReading,
}
