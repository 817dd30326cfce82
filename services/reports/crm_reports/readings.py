"""How reports reads other services' events: tolerant schemas, only the fields it uses."""
from marshmallow import fields, validate

from crm_chassis.erasure import ErasureReading
from crm_chassis.events import Reading


class LeadCreatedReading(Reading):
    lead_id = fields.Integer(required=True)
    contact_id = fields.Integer(required=True)
    source = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    responsible_id = fields.Integer(allow_none=True, load_default=None)
    stage = fields.String(load_default="new")


class LeadStageChangedReading(Reading):
    lead_id = fields.Integer(required=True)
    to_stage = fields.String(required=True)
    to_kind = fields.String(required=True)
    responsible_id = fields.Integer(allow_none=True, load_default=None)


class LeadConvertedReading(Reading):
    lead_id = fields.Integer(required=True)
    contact_id = fields.Integer(required=True)
    company_id = fields.Integer(allow_none=True, load_default=None)
    responsible_id = fields.Integer(allow_none=True, load_default=None)
    converted_at = fields.AwareDateTime(required=True)


class CommunicationReading(Reading):
    communication_id = fields.Integer(required=True)
    contact_id = fields.Integer(required=True)
    company_id = fields.Integer(allow_none=True, load_default=None)
    lead_id = fields.Integer(allow_none=True, load_default=None)
    deal_id = fields.Integer(allow_none=True, load_default=None)
    channel = fields.String(required=True)
    direction = fields.String(required=True)
    status = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)


class ContactMergedReading(Reading):
    kept_id = fields.Integer(required=True)
    merged_id = fields.Integer(required=True)


class OwnershipReading(Reading):
    to_user_id = fields.Integer(required=True)
    company_ids = fields.List(fields.Integer(), required=True)
    lead_ids = fields.List(fields.Integer(), required=True)


class CompanyCreatedReading(Reading):
    company_id = fields.Integer(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True, validate=validate.Length(min=1, max=1))
    responsible_id = fields.Integer(allow_none=True, load_default=None)
    created_at = fields.AwareDateTime(required=True)


class ContactAttachedReading(Reading):
    contact_id = fields.Integer(required=True)
    company_id = fields.Integer(required=True)


class _ChangedReading(Reading):
    """An edit: `changes` holds only the fields that changed, each `{"from", "to"}`."""

    changes = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)


class CompanyChangedReading(_ChangedReading):
    company_id = fields.Integer(required=True)


class ContactChangedReading(_ChangedReading):
    contact_id = fields.Integer(required=True)


class LeadChangedReading(_ChangedReading):
    lead_id = fields.Integer(required=True)


class DealCreatedReading(Reading):
    deal_id = fields.Integer(required=True)
    pipeline = fields.String(required=True)
    stage = fields.String(required=True)
    title = fields.String(required=True)
    contact_id = fields.Integer(allow_none=True, load_default=None)
    company_id = fields.Integer(allow_none=True, load_default=None)
    lead_id = fields.Integer(allow_none=True, load_default=None)
    amount = fields.Decimal(required=True, places=2)
    created_at = fields.AwareDateTime(required=True)
    responsible_id = fields.Integer(allow_none=True, load_default=None)
    custom_fields = fields.Dict(data_key="fields", load_default=dict)


class DealStageChangedReading(Reading):
    deal_id = fields.Integer(required=True)
    pipeline = fields.String(required=True)
    to_stage = fields.String(required=True)
    to_kind = fields.String(load_default="open")
    changed_at = fields.AwareDateTime(required=True)
    rule_id = fields.Integer(allow_none=True, load_default=None)
    responsible_id = fields.Integer(allow_none=True, load_default=None)


class DealClosedReading(Reading):
    deal_id = fields.Integer(required=True)
    pipeline = fields.String(required=True)
    result = fields.String(required=True)
    result_kind = fields.String(required=True, validate=validate.OneOf(("won", "lost")))
    responsible_id = fields.Integer(allow_none=True, load_default=None)
    closed_at = fields.AwareDateTime(required=True)
    amount = fields.Decimal(places=2, load_default=None)


class DealFieldsChangedReading(Reading):
    deal_id = fields.Integer(required=True)
    custom_fields = fields.Dict(data_key="fields", required=True)


class DealResponsibleChangedReading(Reading):
    deal_id = fields.Integer(required=True)
    to_user_id = fields.Integer(required=True)


class _ChangedReading(Reading):
    """An edit: `changes` holds only the fields that changed, each `{"from", "to"}`."""

    changes = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)


class DealChangedReading(_ChangedReading):
    deal_id = fields.Integer(required=True)


class TaskChangedReading(_ChangedReading):
    task_id = fields.Integer(required=True)


class DealArchiveReading(Reading):
    """deal.archived.v1 and deal.restored.v1."""

    deal_id = fields.Integer(required=True)


class TaskArchiveReading(Reading):
    task_id = fields.Integer(required=True)


class TaskCreatedReading(Reading):
    task_id = fields.Integer(required=True)
    deal_id = fields.Integer(required=True)
    title = fields.String(required=True)
    assignee_id = fields.Integer(allow_none=True, load_default=None)
    due_at = fields.AwareDateTime(required=True)


class TaskCompletedReading(Reading):
    task_id = fields.Integer(required=True)
    assignee_id = fields.Integer(allow_none=True, load_default=None)
    completed_at = fields.AwareDateTime(required=True)


class BookingReading(Reading):
    booking_id = fields.Integer(required=True)
    crew_id = fields.Integer(required=True)
    crew_name = fields.String(required=True)
    deal_id = fields.Integer(allow_none=True, load_default=None)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)


class BookingCancelledReading(Reading):
    booking_id = fields.Integer(required=True)


class BookingCompletedReading(Reading):
    booking_id = fields.Integer(required=True)
    result = fields.String(required=True, validate=validate.OneOf(("success", "failure")))


class MessageStatusReading(Reading):
    message_id = fields.Integer(required=True)
    channel = fields.String(required=True)
    status = fields.String(required=True)
    changed_at = fields.AwareDateTime(required=True)


class ContactErasedReading(ErasureReading):
    """leads' contact.erased.v1: whom to find (its `personal` is transient: never stored)."""


READINGS = {
    ("notify", "message.status_changed.v1"): MessageStatusReading,
    ("leads", "lead.created.v1"): LeadCreatedReading,
    ("leads", "lead.stage_changed.v1"): LeadStageChangedReading,
    ("leads", "lead.converted.v1"): LeadConvertedReading,
    ("leads", "communication.recorded.v1"): CommunicationReading,
    ("leads", "contact.merged.v1"): ContactMergedReading,
    ("leads", "ownership.reassigned.v1"): OwnershipReading,
    ("leads", "ownership.returned.v1"): OwnershipReading,
    ("leads", "company.created.v1"): CompanyCreatedReading,
    ("leads", "contact.attached.v1"): ContactAttachedReading,
    ("leads", "company.changed.v1"): CompanyChangedReading,
    ("leads", "contact.changed.v1"): ContactChangedReading,
    ("leads", "lead.changed.v1"): LeadChangedReading,
    ("deals", "deal.created.v1"): DealCreatedReading,
    ("deals", "deal.stage_changed.v1"): DealStageChangedReading,
    ("deals", "deal.closed.v1"): DealClosedReading,
    ("deals", "deal.fields_changed.v1"): DealFieldsChangedReading,
    ("deals", "deal.responsible_changed.v1"): DealResponsibleChangedReading,
    ("deals", "deal.changed.v1"): DealChangedReading,
    ("deals", "deal.archived.v1"): DealArchiveReading,
    ("deals", "deal.restored.v1"): DealArchiveReading,
    ("deals", "task.changed.v1"): TaskChangedReading,
    ("deals", "task.archived.v1"): TaskArchiveReading,
    ("deals", "task.restored.v1"): TaskArchiveReading,
    ("deals", "deal.task_created.v1"): TaskCreatedReading,
    ("deals", "deal.task_completed.v1"): TaskCompletedReading,
    ("scheduling", "booking.created.v1"): BookingReading,
    ("scheduling", "booking.rescheduled.v1"): BookingReading,
    ("scheduling", "booking.cancelled.v1"): BookingCancelledReading,
    ("scheduling", "booking.completed.v1"): BookingCompletedReading,
}


class AnyEvent(Reading):
    """The audit's reading of any event of a producer: nothing required; the audit takes the data
    whole from the envelope, by the convention every event keeps (crm_reports/domain/audit.py)."""


# Producers whose every event the audit records (a handler bound to `#` on each one's exchange).
AUDITED_PRODUCERS = ("leads", "deals", "scheduling", "notify")
