"""Events notify publishes (exchange `notify.events`): a schema and an example for each.

`notification.created.v1`: an in-app notification was stored; the gateway pushes it live to
the recipient's open connections (the list endpoint stays the record)."""
from marshmallow import Schema, fields


class NotificationCreatedV1(Schema):
    id = fields.Integer(required=True)
    recipient = fields.String(required=True)
    template = fields.String(required=True)
    body = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)


SCHEMAS = {"notification.created.v1": NotificationCreatedV1}

EXAMPLES = {
    "notification.created.v1": {
        "id": 41, "recipient": "user:7", "template": "message",
        "body": "Контролёр: Почему сделка без задачи?", "created_at": "2026-11-23T09:20:00+00:00",
    },
}
