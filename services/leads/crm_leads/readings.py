"""How leads reads other services' events: tolerant schemas, only the fields it uses."""
from marshmallow import fields

from crm_chassis.events import Reading


class AbsenceReading(Reading):
    """An absence of a person; only people who are CRM users (`user_id`) own clients."""

    absence_id = fields.Raw(required=True)
    user_id = fields.Integer(load_default=None, allow_none=True)
    kind = fields.String(load_default="absence")


class DealReading(Reading):
    deal_id = fields.Integer(required=True)
    contact_id = fields.Integer(load_default=None, allow_none=True)
    responsible_id = fields.Integer(load_default=None, allow_none=True)


class DealResponsibleReading(Reading):
    deal_id = fields.Integer(required=True)
    to_user_id = fields.Integer(required=True)
