"""How deals reads other services' events: tolerant schemas, only the fields it uses."""
from marshmallow import fields, validate

from crm_chassis.erasure import ErasureReading
from crm_chassis.events import Reading


class LeadConvertedReading(Reading):
    lead_id = fields.Integer(required=True)
    contact_id = fields.Integer(required=True)
    company_id = fields.Integer(allow_none=True, load_default=None)
    client_type = fields.String(required=True)
    title = fields.String(required=True)
    responsible_id = fields.Integer(allow_none=True, load_default=None)


class OwnershipReading(Reading):
    batch_id = fields.String(required=True)
    from_user_id = fields.Integer(required=True)
    to_user_id = fields.Integer(required=True)
    by_user_id = fields.Integer(allow_none=True, load_default=None)


class BookingCompletedReading(Reading):
    booking_id = fields.Integer(required=True)
    deal_id = fields.Integer(allow_none=True, load_default=None)
    result = fields.String(required=True, validate=validate.OneOf(("success", "failure")))
    failure_reason = fields.String(allow_none=True, load_default=None)


class BookingMadeReading(Reading):
    booking_id = fields.Integer(load_default=None)
    deal_id = fields.Integer(allow_none=True, load_default=None)
    crew_name = fields.String(load_default=None)
    starts_at = fields.String(load_default=None)
    reason = fields.String(load_default=None)


class RescheduleRequestReading(Reading):
    """A crew asks to move its job (scheduling's booking.reschedule_requested.v1)."""

    booking_id = fields.Integer(required=True)
    deal_id = fields.Integer(allow_none=True, load_default=None)
    crew_name = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True)
    preferred_date = fields.Date(allow_none=True, load_default=None)


class ContactErasedReading(ErasureReading):
    """leads' contact.erased.v1: whom to find (its `personal` is transient: never stored)."""
