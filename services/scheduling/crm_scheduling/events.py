"""Events scheduling publishes (exchange `scheduling.events`): a schema and an example for each."""
from marshmallow import Schema, fields


class BookingCreatedV1(Schema):
    booking_id = fields.Integer(required=True)
    crew_id = fields.Integer(required=True)
    crew_name = fields.String(required=True)
    leader_name = fields.String(required=True)
    leader_phone = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    deal_id = fields.Integer(allow_none=True)
    address = fields.String(required=True)


SCHEMAS = {"booking.created.v1": BookingCreatedV1}

EXAMPLES = {
    "booking.created.v1": {
        "booking_id": 3, "crew_id": 1, "crew_name": "Бригада подключения №1",
        "leader_name": "Сергей Иванов", "leader_phone": "+79005550101",
        "starts_at": "2026-11-25T07:00:00+00:00", "ends_at": "2026-11-25T09:00:00+00:00",
        "deal_id": 15, "address": "г. Москва, ул. Ленина, д. 1, кв. 5",
    },
}
