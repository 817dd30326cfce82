"""What reports accepts over RPC: every query is checked here; unknown fields are refused."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from crm_reports.domain.kpi import CODES

TABLE_FORMATS = ("json", "csv", "xlsx")


class Period(Schema):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)

    @validates_schema
    def ordered(self, data, **kwargs):
        if data["date_from"] > data["date_to"]:
            raise ValidationError("must not be after date_to", "date_from")


class Table(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(TABLE_FORMATS))


class LeadsPerDayQuery(Period):
    source = fields.String(load_default=None)


class KpiQuery(Period):
    manager_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    indicators = fields.List(fields.String(validate=validate.OneOf(CODES)), load_default=None)
    format = fields.String(load_default="json", validate=validate.OneOf(TABLE_FORMATS + ("svg",)))


class AbcQuery(Table):
    responsible_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    company_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    category = fields.String(load_default=None, validate=validate.OneOf(("A", "B", "C")))
    overdue = fields.String(load_default="all", validate=validate.OneOf(("all", "yes", "no")))
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=100_000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    format = fields.String(load_default="json", validate=validate.OneOf(TABLE_FORMATS + ("svg",)))


class FunnelQuery(Period):
    pipeline = fields.String(required=True, validate=validate.Length(min=1, max=63))
    format = fields.String(load_default="json", validate=validate.OneOf(TABLE_FORMATS + ("svg",)))


class LossesQuery(Period, Table):
    pipeline = fields.String(load_default=None, validate=validate.Length(min=1, max=63))


class ForecastQuery(Table):
    pipeline = fields.String(load_default=None, validate=validate.Length(min=1, max=63))


class ProblemsQuery(Table):
    responsible_id = fields.Integer(load_default=None, validate=validate.Range(min=1))


class CrewLoadQuery(Period, Table):
    pass


class DealFilters(Schema):
    pipeline = fields.String(validate=validate.Length(min=1, max=63))
    stage = fields.String(validate=validate.Length(min=1, max=63))
    responsible_id = fields.Integer(validate=validate.Range(min=1))
    open_only = fields.Boolean()
    membership_ends_within_days = fields.Integer(validate=validate.Range(min=0, max=3660))


class CompanyFilters(Schema):
    responsible_id = fields.Integer(validate=validate.Range(min=1))
    category = fields.String(validate=validate.OneOf(("A", "B", "C")))
    overdue = fields.String(validate=validate.OneOf(("all", "yes", "no")))


FILTERS = {"deals": DealFilters, "companies": CompanyFilters}


class SegmentInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(tuple(FILTERS)))
    filters = fields.Dict(load_default=dict)
    created_by = fields.Integer(load_default=None)

    @validates_schema
    def known_filters(self, data, **kwargs):
        errors = FILTERS[data["kind"]]().validate(data["filters"])
        if errors:
            raise ValidationError(errors, "filters")


class SegmentClientsQuery(Table):
    segment_id = fields.Integer(required=True, validate=validate.Range(min=1))


class AuditQuery(Schema):
    """The entries about one record (`entity` and `entity_id`), of one kind (`entity`), or of one actor."""

    entity = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    entity_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    actor_id = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    before = fields.AwareDateTime(load_default=None)

    @validates_schema
    def asks_for_something(self, data, **kwargs):
        if data["entity_id"] is not None and data["entity"] is None:
            raise ValidationError("an entity_id needs its entity", "entity")
        if data["entity"] is None and data["actor_id"] is None:
            raise ValidationError("name a record (entity and entity_id) or an actor_id", "entity")
