from marshmallow import Schema, fields, validate

CODE = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,62}$", error="lower-case letters, digits, '_', '-'")


class StageInput(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="open", validate=validate.OneOf(["open", "won", "lost"]))


class PipelineInput(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    stages = fields.List(fields.Nested(StageInput), required=True, validate=validate.Length(min=1, max=50))


class DealInput(Schema):
    pipeline = fields.String(required=True, validate=CODE)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    contact_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    amount = fields.Decimal(load_default=0, places=2, validate=validate.Range(min=0, max=10**12))


class MoveInput(Schema):
    deal_id = fields.Integer(required=True)
    stage = fields.String(required=True, validate=CODE)


class DealOutput(Schema):
    id = fields.Integer()
    title = fields.String()
    pipeline = fields.String()
    stage = fields.String()
    stage_name = fields.String()
    contact_id = fields.Integer(allow_none=True)
    amount = fields.Decimal(as_string=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
