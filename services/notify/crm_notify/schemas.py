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
