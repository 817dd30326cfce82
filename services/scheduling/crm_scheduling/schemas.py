from marshmallow import Schema, ValidationError, fields, validate, validates_schema


class CrewInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    skill = fields.String(required=True, validate=validate.Length(min=1, max=100))
    leader_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    leader_phone = fields.String(required=True, validate=validate.Length(min=5, max=40))


class BookingInput(Schema):
    crew_id = fields.Integer(required=True, validate=validate.Range(min=1))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    deal_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    address = fields.String(required=True, validate=validate.Length(min=1, max=500))

    @validates_schema
    def ends_after_start(self, data, **kwargs):
        if data["ends_at"] <= data["starts_at"]:
            raise ValidationError("must be after starts_at", "ends_at")


class CrewOutput(Schema):
    id = fields.Integer()
    name = fields.String()
    skill = fields.String()
    leader_name = fields.String()
    leader_phone = fields.String()


class BookingOutput(Schema):
    id = fields.Integer()
    crew_id = fields.Integer()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    deal_id = fields.Integer(allow_none=True)
    address = fields.String()
    status = fields.String()
