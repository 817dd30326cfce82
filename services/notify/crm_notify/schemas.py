from marshmallow import EXCLUDE, Schema, fields, validate


class InAppMessage(Schema):
    recipient = fields.String(required=True, validate=validate.Length(min=1, max=200))
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    idempotency_key = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ListQuery(Schema):
    recipient = fields.String(required=True)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class BookingCreatedReading(Schema):
    class Meta:
        unknown = EXCLUDE

    booking_id = fields.Integer(required=True)
    crew_id = fields.Integer(required=True)
    crew_name = fields.String(required=True)
    starts_at = fields.String(required=True)
    ends_at = fields.String(required=True)
    deal_id = fields.Integer(allow_none=True, load_default=None)
    address = fields.String(required=True)


READINGS = {("scheduling", "booking.created.v1"): BookingCreatedReading}


class NotificationOutput(Schema):
    id = fields.Integer()
    channel = fields.String()
    recipient = fields.String()
    template = fields.String()
    body = fields.String()
    status = fields.String()
    created_at = fields.AwareDateTime()
