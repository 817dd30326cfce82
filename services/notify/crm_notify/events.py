"""Events notify publishes (exchange `notify.events`): a schema and an example for each.

`notification.created.v1`: an in-app notification was stored; the gateway pushes it live to
the recipient's open connections (the list endpoint stays the record).
`message.status_changed.v1`: an outbound message reached the provider, or the provider said
what became of it (reports counts delivery per channel from these)."""
from marshmallow import Schema, fields


class NotificationCreatedV1(Schema):
    id = fields.Integer(required=True)
    recipient = fields.String(required=True)
    template = fields.String(required=True)
    body = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    deal_id = fields.Integer(allow_none=True)  # added later (additive): the deal it is about, if any


class MessageStatusChangedV1(Schema):
    message_id = fields.Integer(required=True)
    channel = fields.String(required=True)
    status = fields.String(required=True)
    deal_id = fields.Integer(allow_none=True)
    campaign_id = fields.Integer(allow_none=True)
    changed_at = fields.AwareDateTime(required=True)


class OptOutRecordedV1(Schema):
    """An address that asked for no more messages on a channel; `withdrawn` messages were waiting."""
    channel = fields.String(required=True)
    address = fields.String(required=True)
    withdrawn = fields.Integer(required=True)


class CampaignCreatedV1(Schema):
    campaign_id = fields.Integer(required=True)
    name = fields.String(required=True)
    channel = fields.String(required=True)
    text = fields.String(required=True)
    recipients = fields.Integer(required=True)


SCHEMAS = {"notification.created.v1": NotificationCreatedV1, "message.status_changed.v1": MessageStatusChangedV1,
           "opt_out.recorded.v1": OptOutRecordedV1, "campaign.created.v1": CampaignCreatedV1}

EXAMPLES = {
    "message.status_changed.v1": {
        "message_id": 77, "channel": "sms", "status": "delivered", "deal_id": 15, "campaign_id": None,
        "changed_at": "2026-11-23T09:21:00+00:00",
    },
    "notification.created.v1": {
        "id": 41, "recipient": "user:7", "template": "message",
        "body": "Контролёр: Почему сделка без задачи?", "created_at": "2026-11-23T09:20:00+00:00", "deal_id": 15,
    },
    "opt_out.recorded.v1": {"channel": "sms", "address": "+79161234567", "withdrawn": 1},
    "campaign.created.v1": {"campaign_id": 3, "name": "Скидка на абонемент", "channel": "sms",
                            "text": "Скидка 10% до конца месяца", "recipients": 120},
}
