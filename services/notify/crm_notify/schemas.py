from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from crm_notify.domain.messages import STATUSES

E164 = validate.Regexp(r"^\+[1-9]\d{7,14}$", error="a phone number in E.164 form, e.g. +79001234567")
EXTERNAL_CHANNELS = ("sms", "whatsapp", "email", "telegram")
# Keys name a cause; "|" separates the parts of the message keys derived from them.
KEY = validate.Regexp(r"^[^|]{1,200}$", error="1 to 200 characters, without '|'")


class InAppMessage(Schema):
    recipient = fields.String(required=True, validate=validate.Length(min=1, max=200))
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    idempotency_key = fields.String(required=True, validate=KEY)


class ListQuery(Schema):
    recipient = fields.String(required=True)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


def check_address(channel: str, address: str) -> str | None:
    """A problem with an address for a channel, or None."""
    if channel in ("sms", "whatsapp"):
        return None if E164.regex.match(address) else "a phone number in E.164 form, e.g. +79001234567"
    if channel == "email":
        try:
            validate.Email()(address)
        except ValidationError:
            return "not an e-mail address"
        return None
    return None if address.lstrip("-").isdigit() else "a Telegram chat id"


class OutboundMessage(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(EXTERNAL_CHANNELS))
    to = fields.String(required=True, validate=validate.Length(min=1, max=320))
    text = fields.String(required=True, validate=validate.Length(min=1, max=1600))
    subject = fields.String(load_default=None, validate=validate.Length(max=200))
    deal_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    send_at = fields.AwareDateTime(load_default=None)
    idempotency_key = fields.String(required=True, validate=KEY)


class ProviderStatus(Schema):
    provider_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    status = fields.String(required=True, validate=validate.Length(min=1, max=32))
    error_code = fields.String(load_default=None)


class DealQuery(Schema):
    deal_id = fields.Integer(required=True, validate=validate.Range(min=1))


class CampaignQuery(Schema):
    campaign_id = fields.Integer(required=True, validate=validate.Range(min=1))


class OptOut(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(EXTERNAL_CHANNELS))
    address = fields.String(required=True, validate=validate.Length(min=1, max=320))


class Recipient(Schema):
    address = fields.String(required=True, validate=validate.Length(min=1, max=320))


class Campaign(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    channel = fields.String(required=True, validate=validate.OneOf(EXTERNAL_CHANNELS))
    text = fields.String(required=True, validate=validate.Length(min=1, max=1600))
    recipients = fields.List(fields.Nested(Recipient), required=True, validate=validate.Length(min=1, max=10000))
    idempotency_key = fields.String(required=True, validate=KEY)
    created_by = fields.String(load_default=None)


class MembershipReminder(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(("sms", "email")))
    to = fields.String(required=True, validate=validate.Length(min=1, max=320))
    client_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    ends_on = fields.Date(required=True)
    days_before = fields.Integer(load_default=3, validate=validate.Range(min=1, max=60))
    deal_id = fields.Integer(load_default=None, validate=validate.Range(min=1))


class LinkCodeRequest(Schema):
    user_id = fields.Integer(required=True, validate=validate.Range(min=1))
    sees_all = fields.Boolean(load_default=False)


class TelegramUpdate(Schema):
    """The part of a Telegram Update the bot reads; everything else is ignored."""

    class Meta:
        unknown = EXCLUDE

    update_id = fields.Integer(required=True)
    chat_id = fields.Integer(required=True)
    text = fields.String(load_default="")


class BookingReading(Schema):
    """scheduling's booking.*.v1 as notify reads it: unknown fields ignored, client optional."""

    class Meta:
        unknown = EXCLUDE

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


class DealNoticeReading(Schema):
    """deals' requests to tell staff something: a rule's notice, an approval, an overdue task."""

    class Meta:
        unknown = EXCLUDE

    deal_id = fields.Integer(required=True)
    recipient_user_ids = fields.List(fields.Integer(), load_default=list)
    text = fields.String(load_default=None)
    approver_id = fields.Integer(load_default=None)
    assignee_id = fields.Integer(load_default=None, allow_none=True)
    title = fields.String(load_default=None)


class OwnershipReading(Schema):
    """leads' ownership.reassigned.v1: what moved to whom, and who asked (none: an absence began)."""

    class Meta:
        unknown = EXCLUDE

    to_user_id = fields.Integer(required=True)
    by_user_id = fields.Integer(load_default=None, allow_none=True)
    reason = fields.String(load_default="")
    company_ids = fields.List(fields.Integer(), load_default=list)
    contact_ids = fields.List(fields.Integer(), load_default=list)
    lead_ids = fields.List(fields.Integer(), load_default=list)


class ResponsibleReading(Schema):
    """deals' deal.responsible_changed.v1: the deal's new responsible, and who asked."""

    class Meta:
        unknown = EXCLUDE

    deal_id = fields.Integer(required=True)
    to_user_id = fields.Integer(required=True)
    by_user_id = fields.Integer(load_default=None, allow_none=True)
    title = fields.String(load_default="")


READINGS = {
    ("leads", "ownership.reassigned.v1"): OwnershipReading,
    ("deals", "deal.responsible_changed.v1"): ResponsibleReading,
    ("deals", "deal.notification_requested.v1"): DealNoticeReading,
    ("deals", "deal.approval_requested.v1"): DealNoticeReading,
    ("deals", "deal.task_overdue.v1"): DealNoticeReading,
    ("scheduling", "booking.created.v1"): BookingReading,
    ("scheduling", "booking.rescheduled.v1"): BookingReading,
    ("scheduling", "booking.cancelled.v1"): BookingReading,
}


class NotificationOutput(Schema):
    id = fields.Integer()
    channel = fields.String()
    recipient = fields.String()
    template = fields.String()
    subject = fields.String(allow_none=True)
    body = fields.String()
    status = fields.String(validate=validate.OneOf(sorted(STATUSES)))
    deal_id = fields.Integer(allow_none=True)
    campaign_id = fields.Integer(allow_none=True)
    provider_id = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    attempts = fields.Integer()
    send_at = fields.AwareDateTime()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
