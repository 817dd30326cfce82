"""Events scheduling publishes (exchange `scheduling.events`): a schema and an example for each."""
from marshmallow import Schema, fields, validate

from crm_chassis.events import changes_field


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
    # added later (additive): who the client is, and whether the booking came from a hold
    client_name = fields.String(allow_none=True)
    client_phone = fields.String(allow_none=True)
    from_hold = fields.Boolean()


class BookingRescheduledV1(BookingCreatedV1):
    previous_starts_at = fields.AwareDateTime(required=True)
    previous_ends_at = fields.AwareDateTime(required=True)
    by = fields.String(required=True, validate=validate.OneOf(("client", "crew")))
    reason = fields.String(required=True)


class BookingRescheduleRequestedV1(BookingCreatedV1):
    """The crew asks to move its job (the job itself stays as it is until someone moves it)."""

    reason = fields.String(required=True)
    preferred_date = fields.Date(allow_none=True)
    requested_by_user_id = fields.Integer(allow_none=True)
    requested_at = fields.AwareDateTime(required=True)


class BookingCancelledV1(BookingCreatedV1):
    """The cancelled job in full (additive to the first version), so both sides can be told."""

    reason = fields.String(required=True)


class BookingChangedV1(BookingCreatedV1):
    """The client's details edited (`changes`: client_name, client_phone, address, comment, each
    `{"from", "to"}`), with the job in full so that queued messages can be written again."""

    version = fields.Integer(required=True)
    changes = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)
    comment = fields.String(allow_none=True)


class BookingCompletedV1(Schema):
    booking_id = fields.Integer(required=True)
    crew_id = fields.Integer(required=True)
    deal_id = fields.Integer(allow_none=True)
    result = fields.String(required=True, validate=validate.OneOf(("success", "failure")))
    failure_reason = fields.String(allow_none=True)


class BookingRequestFailedV1(Schema):
    """deals asked for a crew (deal.booking_requested.v1) and no slot was free."""

    deal_id = fields.Integer(required=True)
    reason = fields.String(required=True)


class AbsenceChangedV1(Schema):
    """`absence.started.v1` on its first day, `absence.ended.v1` the day after its last."""

    absence_id = fields.Integer(required=True)
    staff_id = fields.Integer(required=True)
    user_id = fields.Integer(allow_none=True)
    full_name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("vacation", "sick_leave", "dismissal")))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True)


# -- people and crews: who works, in which crew, where and when ------------------------------

class StaffCreatedV1(Schema):
    staff_id = fields.Integer(required=True)
    changes = changes_field(required=True)


class CrewChangedV1(Schema):
    """A crew created or changed: name, skill, leader, members, zones, time zone, working hours."""
    crew_id = fields.Integer(required=True)
    changes = changes_field(required=True)


class CrewIcsTokenRegeneratedV1(Schema):
    """The crew's calendar link was replaced (the secret itself never travels)."""
    crew_id = fields.Integer(required=True)


class AbsenceCreatedV1(Schema):
    absence_id = fields.Integer(required=True)
    staff_id = fields.Integer(required=True)
    changes = changes_field(required=True)


SCHEMAS = {
    "booking.created.v1": BookingCreatedV1,
    "booking.rescheduled.v1": BookingRescheduledV1,
    "booking.cancelled.v1": BookingCancelledV1,
    "booking.reschedule_requested.v1": BookingRescheduleRequestedV1,
    "booking.completed.v1": BookingCompletedV1,
    "booking.changed.v1": BookingChangedV1,
    "booking.request_failed.v1": BookingRequestFailedV1,
    "absence.started.v1": AbsenceChangedV1,
    "absence.ended.v1": AbsenceChangedV1,
    "staff.created.v1": StaffCreatedV1,
    "crew.created.v1": CrewChangedV1,
    "crew.changed.v1": CrewChangedV1,
    "crew.ics_token_regenerated.v1": CrewIcsTokenRegeneratedV1,
    "absence.created.v1": AbsenceCreatedV1,
}

_BOOKING = {
    "booking_id": 3, "crew_id": 1, "crew_name": "Бригада подключения №1",
    "leader_name": "Сергей Иванов", "leader_phone": "+79005550101",
    "starts_at": "2026-11-25T07:00:00+00:00", "ends_at": "2026-11-25T09:00:00+00:00",
    "deal_id": 15, "address": "г. Москва, ул. Ленина, д. 1, кв. 5",
    "client_name": "Иван Петров", "client_phone": "+79161234567", "from_hold": True,
}
_ABSENCE = {"absence_id": 4, "staff_id": 7, "user_id": 12, "full_name": "Сергей Иванов", "kind": "vacation",
            "starts_on": "2026-12-01", "ends_on": "2026-12-14"}

EXAMPLES = {
    "booking.created.v1": _BOOKING,
    "booking.rescheduled.v1": {
        **_BOOKING, "starts_at": "2026-11-26T11:00:00+00:00", "ends_at": "2026-11-26T13:00:00+00:00",
        "previous_starts_at": "2026-11-25T07:00:00+00:00", "previous_ends_at": "2026-11-25T09:00:00+00:00",
        "by": "client", "reason": "Клиент будет дома только в четверг",
    },
    "booking.cancelled.v1": {**_BOOKING, "reason": "Клиент отказался от подключения"},
    "booking.reschedule_requested.v1": {
        **_BOOKING, "reason": "Не успеваем с предыдущего объекта", "preferred_date": "2026-11-26",
        "requested_by_user_id": 12, "requested_at": "2026-11-24T15:30:00+00:00",
    },
    "booking.changed.v1": {
        **{key: value for key, value in _BOOKING.items() if key != "from_hold"}, "version": 2,
        "client_phone": "+79037654321", "comment": "Домофон не работает, позвонить за час",
        "changes": {"client_phone": {"from": "+79161234567", "to": "+79037654321"},
                    "comment": {"from": None, "to": "Домофон не работает, позвонить за час"}}},
    "booking.completed.v1": {"booking_id": 3, "crew_id": 1, "deal_id": 15, "result": "failure",
                             "failure_reason": "Нет технической возможности: дом не подключён"},
    "booking.request_failed.v1": {"deal_id": 16, "reason": "нет свободного времени у бригад «подключение» "
                                                           "на 7 дней вперёд"},
    "absence.started.v1": _ABSENCE,
    "absence.ended.v1": _ABSENCE,
    "staff.created.v1": {"staff_id": 4, "changes": {"full_name": {"from": None, "to": "Сергей Монтажников"},
                                                    "skills": {"from": None, "to": ["подключение"]}}},
    "crew.created.v1": {"crew_id": 1, "changes": {"name": {"from": None, "to": "Бригада подключения №1"},
                                                  "zones": {"from": None, "to": ["north"]}}},
    "crew.changed.v1": {"crew_id": 1, "changes": {"zones": {"from": ["north"], "to": ["north", "center"]},
                                                  "member_ids": {"from": [4], "to": [4, 5]}}},
    "crew.ics_token_regenerated.v1": {"crew_id": 1},
    "absence.created.v1": {"absence_id": 7, "staff_id": 4, "changes": {
        "kind": {"from": None, "to": "vacation"}, "starts_on": {"from": None, "to": "2026-12-01"},
        "ends_on": {"from": None, "to": "2026-12-14"}}},
}
