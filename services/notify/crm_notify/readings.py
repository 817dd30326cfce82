"""How notify reads other services' events: tolerant schemas, only the fields it uses."""
from marshmallow import fields

from crm_chassis.erasure import ErasureReading
from crm_chassis.events import Reading


class BookingReading(Reading):
    """scheduling's booking.*.v1 as notify reads it: unknown fields ignored, client optional."""

    booking_id = fields.Integer(required=True)
    crew_id = fields.Integer(required=True)
    crew_name = fields.String(required=True)
    leader_name = fields.String(load_default=None, allow_none=True)
    leader_phone = fields.String(load_default=None, allow_none=True)
    starts_at = fields.String(required=True)
    ends_at = fields.String(required=True)
    previous_starts_at = fields.String(load_default=None, allow_none=True)
    previous_ends_at = fields.String(load_default=None, allow_none=True)
    reason = fields.String(load_default=None, allow_none=True)
    deal_id = fields.Integer(allow_none=True, load_default=None)
    address = fields.String(required=True)
    client_name = fields.String(load_default=None, allow_none=True)
    client_phone = fields.String(load_default=None, allow_none=True)


class DealNoticeReading(Reading):
    """deals' requests to tell staff something: a rule's notice, an approval, an overdue task."""

    deal_id = fields.Integer(required=True)
    recipient_user_ids = fields.List(fields.Integer(), load_default=list)
    text = fields.String(load_default=None)
    approver_id = fields.Integer(load_default=None)
    assignee_id = fields.Integer(load_default=None, allow_none=True)
    title = fields.String(load_default=None)


class OwnershipReading(Reading):
    """leads' ownership.reassigned.v1: what moved to whom, and who asked (none: an absence began)."""

    to_user_id = fields.Integer(required=True)
    by_user_id = fields.Integer(load_default=None, allow_none=True)
    reason = fields.String(load_default="")
    company_ids = fields.List(fields.Integer(), load_default=list)
    contact_ids = fields.List(fields.Integer(), load_default=list)
    lead_ids = fields.List(fields.Integer(), load_default=list)


class ResponsibleReading(Reading):
    """deals' deal.responsible_changed.v1: the deal's new responsible, and who asked."""

    deal_id = fields.Integer(required=True)
    to_user_id = fields.Integer(required=True)
    by_user_id = fields.Integer(load_default=None, allow_none=True)
    title = fields.String(load_default="")


class ContactErasedReading(ErasureReading):
    """leads' contact.erased.v1: whom to find (its `personal` is transient: never stored)."""
