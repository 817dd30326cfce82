from datetime import timedelta
from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from crm_chassis.phones import InvalidPhone, normalize_phone
from crm_scheduling.domain.absences import KINDS as ABSENCE_KINDS
from crm_scheduling.domain.hours import WEEKDAYS

TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
NAME = validate.Length(min=1, max=200)
PHONE = validate.Length(min=5, max=40)
SKILL = fields.String(validate=validate.Length(min=1, max=100))
ZONE = fields.String(validate=validate.Length(min=1, max=100))


class ClientPhone(fields.String):
    """A client's phone as typed (`8 (916) 123-45-67`), kept in E.164 by the one normalizer."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return normalize_phone(super()._deserialize(value, attr, data, **kwargs))
        except InvalidPhone:
            raise ValidationError("not a valid phone number") from None


class Window(fields.List):
    """A working window ["09:00", "18:00"], or null for a day off."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(validate=validate.Regexp(TIME, error="expected HH:MM")),
                         validate=validate.Length(equal=2), allow_none=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        window = super()._deserialize(value, attr, data, **kwargs)
        if window[0] >= window[1]:
            raise ValidationError("the end must be after the start")
        return window


WorkingHoursSchema = Schema.from_dict({day: Window(required=True) for day in WEEKDAYS}, name="WorkingHours")


class HoursExceptions(fields.Dict):
    def __init__(self, **kwargs):
        super().__init__(keys=fields.Date(), values=Window(), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        loaded = super()._deserialize(value, attr, data, **kwargs)
        return {day.isoformat(): window for day, window in loaded.items()}


class StaffInput(Schema):
    full_name = fields.String(required=True, validate=NAME)
    phone = fields.String(required=True, validate=PHONE)
    user_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    skills = fields.List(SKILL, load_default=list)


class CrewInput(Schema):
    name = fields.String(required=True, validate=NAME)
    skill = fields.String(required=True, validate=validate.Length(min=1, max=100))
    leader_name = fields.String(required=True, validate=NAME)
    leader_phone = fields.String(required=True, validate=PHONE)
    leader_staff_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    member_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), load_default=list)
    zones = fields.List(ZONE, load_default=list)
    time_zone = fields.String(load_default="Europe/Moscow", validate=validate.OneOf(sorted(available_timezones())))
    working_hours = fields.Nested(WorkingHoursSchema, load_default=None)
    hours_exceptions = HoursExceptions(load_default=dict)


class CrewChanges(Schema):
    """What an admin may change on a crew; every field optional."""

    crew_id = fields.Integer(required=True, validate=validate.Range(min=1))
    leader_name = fields.String(validate=NAME)
    leader_phone = fields.String(validate=PHONE)
    leader_staff_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    member_ids = fields.List(fields.Integer(validate=validate.Range(min=1)))
    zones = fields.List(ZONE)
    time_zone = fields.String(validate=validate.OneOf(sorted(available_timezones())))
    working_hours = fields.Nested(WorkingHoursSchema)
    hours_exceptions = HoursExceptions()


class AbsenceInput(Schema):
    staff_id = fields.Integer(required=True, validate=validate.Range(min=1))
    kind = fields.String(required=True, validate=validate.OneOf(ABSENCE_KINDS))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(load_default=None)
    note = fields.String(load_default=None, validate=validate.Length(max=1000))

    @validates_schema
    def dates(self, data, **kwargs):
        if data["ends_on"] is None and data["kind"] != "dismissal":
            raise ValidationError("required unless the absence is a dismissal", "ends_on")
        if data["ends_on"] is not None and data["ends_on"] < data["starts_on"]:
            raise ValidationError("must not be before starts_on", "ends_on")


class TimeRange(Schema):
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)

    @validates_schema
    def ends_after_start(self, data, **kwargs):
        if "starts_at" in data and "ends_at" in data:
            if data["ends_at"] <= data["starts_at"]:
                raise ValidationError("must be after starts_at", "ends_at")
            elif data["ends_at"] - data["starts_at"] > timedelta(hours=24):
                raise ValidationError("a job lasts at most 24 hours", "ends_at")


class Client(Schema):
    deal_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    address = fields.String(required=True, validate=validate.Length(min=1, max=500))
    client_name = fields.String(load_default=None, validate=NAME)
    client_phone = ClientPhone(load_default=None, allow_none=True)


class BookingEditInput(Schema):
    """The client's details of a job: only what changes; `version` the one read (optional)."""

    booking_id = fields.Integer(required=True)
    version = fields.Integer(load_default=None, validate=validate.Range(min=1))
    address = fields.String(validate=validate.Length(min=1, max=500))
    client_name = fields.String(allow_none=True, validate=NAME)
    client_phone = ClientPhone(allow_none=True)
    comment = fields.String(allow_none=True, validate=validate.Length(max=2000))


class BookingInput(TimeRange, Client):
    crew_id = fields.Integer(required=True, validate=validate.Range(min=1))


class HoldInput(TimeRange):
    crew_id = fields.Integer(required=True, validate=validate.Range(min=1))
    minutes = fields.Integer(load_default=5, validate=validate.Range(min=1, max=30))


class ConfirmHoldInput(Client):
    hold_id = fields.Integer(required=True, validate=validate.Range(min=1))


class RescheduleInput(TimeRange):
    booking_id = fields.Integer(required=True, validate=validate.Range(min=1))
    by = fields.String(required=True, validate=validate.OneOf(("client", "crew")))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class RescheduleRequestInput(Schema):
    booking_id = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=500),
                                                    validate.Regexp(r"\s*\S", error="must not be blank")])
    preferred_date = fields.Date(load_default=None)


class BookingListQuery(Schema):
    crew_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    deal_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    date_from = fields.Date(load_default=None)
    date_to = fields.Date(load_default=None)
    viewer_user_id = fields.Integer(load_default=None)

    @validates_schema
    def range_of_dates(self, data, **kwargs):
        if data["date_from"] and data["date_to"] and data["date_to"] < data["date_from"]:
            raise ValidationError("must not be before date_from", "date_to")


class CancelInput(Schema):
    booking_id = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class CompleteInput(Schema):
    booking_id = fields.Integer(required=True, validate=validate.Range(min=1))
    result = fields.String(required=True, validate=validate.OneOf(("success", "failure")))
    failure_reason = fields.String(load_default=None, validate=validate.Length(min=1, max=1000))

    @validates_schema
    def reason_for_failure(self, data, **kwargs):
        if data["result"] == "failure" and not data["failure_reason"]:
            raise ValidationError("required when the result is failure", "failure_reason")


class AvailabilityQuery(Schema):
    skill = fields.String(required=True, validate=validate.Length(min=1, max=100))
    zone = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    duration_minutes = fields.Integer(required=True, validate=validate.Range(min=15, max=720))
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))
    buffer_minutes = fields.Integer(load_default=30, validate=validate.Range(min=0, max=240))
    step_minutes = fields.Integer(load_default=30, validate=validate.Range(min=5, max=240))

    @validates_schema
    def range_of_dates(self, data, **kwargs):
        if data["date_to"] < data["date_from"]:
            raise ValidationError("must not be before date_from", "date_to")
        elif (data["date_to"] - data["date_from"]).days > 62:
            raise ValidationError("at most 62 days after date_from", "date_to")


class CalendarQuery(Schema):
    crew_id = fields.Integer(required=True, validate=validate.Range(min=1))
    date = fields.Date(required=True)
    days = fields.Integer(load_default=1, validate=validate.OneOf((1, 7)))
    viewer_user_id = fields.Integer(load_default=None)


class StaffOutput(Schema):
    id = fields.Integer()
    full_name = fields.String()
    phone = fields.String()
    user_id = fields.Integer(allow_none=True)
    skills = fields.List(fields.String())


class CrewOutput(Schema):
    id = fields.Integer()
    name = fields.String()
    skill = fields.String()
    leader_name = fields.String()
    leader_phone = fields.String()
    leader_staff_id = fields.Integer(allow_none=True)
    member_ids = fields.List(fields.Integer())
    zones = fields.List(fields.String())
    time_zone = fields.String()
    working_hours = fields.Dict()
    hours_exceptions = fields.Dict()


class AbsenceOutput(Schema):
    id = fields.Integer()
    staff_id = fields.Integer()
    kind = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    note = fields.String(allow_none=True)
    phase = fields.String()
    started_emitted = fields.Boolean()
    ended_emitted = fields.Boolean()


class BookingOutput(Schema):
    id = fields.Integer()
    crew_id = fields.Integer()
    kind = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime(allow_none=True)
    deal_id = fields.Integer(allow_none=True)
    address = fields.String(allow_none=True)
    client_name = fields.String(allow_none=True)
    client_phone = fields.String(allow_none=True)
    status = fields.String()
    note = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    version = fields.Integer()
    reschedule_request = fields.Method("_reschedule_request")

    @staticmethod
    def _reschedule_request(row) -> dict | None:
        """The crew's open request to move the job, if any."""
        if row["reschedule_requested_at"] is None:
            return None
        preferred = row["reschedule_preferred_date"]
        return {"reason": row["reschedule_reason"], "preferred_date": preferred and preferred.isoformat(),
                "requested_at": row["reschedule_requested_at"].isoformat(),
                "requested_by_user_id": row["reschedule_requested_by"]}


class SlotOutput(Schema):
    crew_id = fields.Integer()
    crew_name = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
