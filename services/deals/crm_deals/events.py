"""Events deals publishes (exchange `deals.events`): a schema and an example for each."""
from marshmallow import Schema, fields


class DealCreatedV1(Schema):
    deal_id = fields.Integer(required=True)
    pipeline = fields.String(required=True)
    stage = fields.String(required=True)
    title = fields.String(required=True)
    contact_id = fields.Integer(allow_none=True)
    amount = fields.Decimal(as_string=True, required=True)
    created_at = fields.AwareDateTime(required=True)


class DealStageChangedV1(Schema):
    deal_id = fields.Integer(required=True)
    pipeline = fields.String(required=True)
    from_stage = fields.String(required=True)
    to_stage = fields.String(required=True)
    changed_at = fields.AwareDateTime(required=True)


SCHEMAS = {"deal.created.v1": DealCreatedV1, "deal.stage_changed.v1": DealStageChangedV1}

EXAMPLES = {
    "deal.created.v1": {
        "deal_id": 15, "pipeline": "private", "stage": "new", "title": "Подключение: Иван Петров",
        "contact_id": 7, "amount": "1500.00", "created_at": "2026-11-23T09:20:00+00:00",
    },
    "deal.stage_changed.v1": {
        "deal_id": 15, "pipeline": "private", "from_stage": "new", "to_stage": "contract",
        "changed_at": "2026-11-24T10:00:00+00:00",
    },
}
