"""How scheduling reads other services' events: tolerant schemas, only the fields it uses."""
from marshmallow import fields, validate

from crm_chassis.erasure import ErasureReading
from crm_chassis.events import Reading


class BookingRequestReading(Reading):
    """deals' deal.booking_requested.v1 as scheduling reads it."""

    deal_id = fields.Integer(required=True)
    skill = fields.String(required=True)
    zone = fields.String(load_default=None, allow_none=True)
    duration_minutes = fields.Integer(required=True)
    within_days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=62))
    address = fields.String(required=True)


class ContactErasedReading(ErasureReading):
    """leads' contact.erased.v1: whom to find (its `personal` is transient: never stored)."""
