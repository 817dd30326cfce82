"""Events leads publishes (exchange `leads.events`): a schema and an example for each."""
from marshmallow import Schema, fields


class LeadCreatedV1(Schema):
    lead_id = fields.Integer(required=True)
    contact_id = fields.Integer(required=True)
    source = fields.String(required=True)
    channel = fields.String(required=True)
    title = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    new_contact = fields.Boolean(required=True)


SCHEMAS = {"lead.created.v1": LeadCreatedV1}

EXAMPLES = {
    "lead.created.v1": {
        "lead_id": 42,
        "contact_id": 7,
        "source": "site-main",
        "channel": "web_form",
        "title": "Заявка с сайта site-main: Иван Петров",
        "created_at": "2026-11-23T09:15:00+00:00",
        "new_contact": True,
    },
}
