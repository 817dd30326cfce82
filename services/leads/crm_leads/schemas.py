"""What leads accepts over RPC: marshmallow in (tolerant of unknown keys only where noted)."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from crm_leads.domain.pipeline import CLIENT_TYPES, COMPANY_CATEGORIES
from crm_leads.domain.records import inn_problem
from crm_leads.domain.sorting import CATEGORIES

SOURCE = validate.Regexp(r"^[a-z0-9][a-z0-9_.-]{0,62}$", error="lower-case letters, digits, '_', '.', '-'")
CHANNELS = ("call", "sms", "whatsapp", "telegram", "email")
UNSORTED = "unsorted"
PAGE = {"limit": fields.Integer(load_default=50, validate=validate.Range(min=1, max=500)),
        "offset": fields.Integer(load_default=0, validate=validate.Range(min=0))}
# The version an edit read: absent means no check.
VERSION = fields.Integer(load_default=None, validate=validate.Range(min=1))
# Lists show live records; archived=true shows only the archived ones.
ARCHIVED = fields.Boolean(load_default=False)


def valid_inn(inn: str) -> None:
    if problem := inn_problem(inn):
        raise ValidationError(problem)


class WebFormSchema(Schema):
    """A request left on one of the company's web sites: extra form fields are ignored."""

    class Meta:
        unknown = EXCLUDE

    site = fields.String(required=True, validate=SOURCE)
    submission_id = fields.String(validate=validate.Length(min=1, max=200), load_default=None)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(validate=validate.Length(max=40), load_default=None)
    email = fields.Email(load_default=None)
    message = fields.String(validate=validate.Length(max=5000), load_default="")
    request_type = fields.String(validate=validate.Length(max=100), load_default=None)


class CommunicationInput(Schema):
    """A call event or a message, normalized by the gateway from the provider's format."""

    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    source = fields.String(load_default=None, validate=SOURCE)
    external_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    direction = fields.String(required=True, validate=validate.OneOf(("in", "out")))
    provider_status = fields.String(required=True, validate=validate.Length(min=1, max=50))
    from_ = fields.String(required=True, data_key="from", attribute="from", validate=validate.Length(min=1, max=320))
    to = fields.String(required=True, validate=validate.Length(max=320))
    from_name = fields.String(load_default=None, validate=validate.Length(max=200))
    phone = fields.String(load_default=None, validate=validate.Length(max=40))
    subject = fields.String(load_default=None, validate=validate.Length(max=1000))
    body = fields.String(load_default=None, validate=validate.Length(max=100_000))
    duration_seconds = fields.Integer(load_default=None, validate=validate.Range(min=0, max=86_400))
    recording_url = fields.Url(load_default=None, schemes={"http", "https"})
    occurred_at = fields.AwareDateTime(required=True)


class ManualLeadInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(load_default=None, validate=validate.Length(max=40))
    email = fields.Email(load_default=None)
    title = fields.String(load_default=None, validate=validate.Length(min=1, max=300))
    message = fields.String(load_default="", validate=validate.Length(max=5000))
    channel = fields.String(load_default="manual", validate=validate.OneOf(("manual", *CHANNELS)))
    request_type = fields.String(load_default=None, validate=validate.Length(max=100))
    client_type = fields.String(load_default=None, validate=validate.OneOf(CLIENT_TYPES))
    responsible_id = fields.Integer(load_default=None, validate=validate.Range(min=1))


class LeadListQuery(Schema):
    source = fields.String(load_default=None)
    stage = fields.String(load_default=None)
    stage_kind = fields.String(load_default=None, validate=validate.OneOf(("open", "won", "lost")))
    channel = fields.String(load_default=None)
    responsible_id = fields.Integer(load_default=None)
    contact_id = fields.Integer(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    archived = ARCHIVED
    limit = PAGE["limit"]
    offset = PAGE["offset"]


class InboxQuery(Schema):
    """The communications log as an inbox: newest first; `category` "unsorted" is a call still in progress."""

    category = fields.String(load_default=None, validate=validate.OneOf((*CATEGORIES, UNSORTED)))
    direction = fields.String(load_default=None, validate=validate.OneOf(("in", "out")))
    channel = fields.String(load_default=None, validate=validate.OneOf((*CHANNELS, "web_form")))
    since = fields.AwareDateTime(load_default=None)
    limit = PAGE["limit"]
    offset = PAGE["offset"]


class LeadFields(Schema):
    """The fields a lead carries; unknown ones are kept as custom fields."""

    class Meta:
        unknown = "include"

    request_type = fields.String(validate=validate.Length(min=1, max=100))
    client_type = fields.String(validate=validate.OneOf(CLIENT_TYPES))
    company_name = fields.String(validate=validate.Length(min=1, max=300))
    company_category = fields.String(validate=validate.OneOf(COMPANY_CATEGORIES))


class LeadUpdateInput(Schema):
    lead_id = fields.Integer(required=True)
    version = VERSION
    title = fields.String(validate=validate.Length(min=1, max=300))
    message = fields.String(validate=validate.Length(max=5000))
    responsible_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    fields_ = fields.Nested(LeadFields, data_key="fields", attribute="fields", load_default=dict)


class MoveInput(Schema):
    lead_id = fields.Integer(required=True)
    stage = fields.String(required=True, validate=validate.Length(min=1, max=100))
    fields_ = fields.Nested(LeadFields, data_key="fields", attribute="fields", load_default=dict)


class StageInput(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_:-]{1,60}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(("open", "won", "lost")))
    position = fields.Integer(required=True, validate=validate.Range(min=0, max=10_000))
    required_fields = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list)
    deprecated = fields.Boolean(load_default=False)


class IntervalInput(Schema):
    category = fields.String(required=True, validate=validate.OneOf(COMPANY_CATEGORIES))
    contact_interval_days = fields.Integer(required=True, validate=validate.Range(min=1, max=3650))


class CardQuery(Schema):
    contact_id = fields.Integer(required=True)
    limit = PAGE["limit"]
    offset = PAGE["offset"]


class ContactQuery(Schema):
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    archived = ARCHIVED
    limit = PAGE["limit"]
    offset = PAGE["offset"]


class CompanyInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    category = fields.String(required=True, validate=validate.OneOf(COMPANY_CATEGORIES))
    responsible_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    inn = fields.String(load_default=None, validate=valid_inn)
    address = fields.String(load_default=None, validate=validate.Length(min=1, max=500))


class CompanyEditInput(CompanyInput):
    """Only the fields to change, by the rules of creation; null clears an optional one."""

    company_id = fields.Integer(required=True)
    version = VERSION

    def __init__(self):
        super().__init__(partial=tuple(CompanyInput._declared_fields))


class ContactEditInput(Schema):
    """Only the fields to change; phones and e-mails are normalized (and checked) by domain.records."""

    contact_id = fields.Integer(required=True)
    version = VERSION
    name = fields.String(validate=validate.Length(min=1, max=200))
    phone = fields.String(allow_none=True, validate=validate.Length(min=1, max=40))
    phones = fields.List(fields.String(validate=validate.Length(min=1, max=40)), validate=validate.Length(max=20))
    email = fields.Email(allow_none=True)
    emails = fields.List(fields.Email(), validate=validate.Length(max=20))
    telegram = fields.String(allow_none=True, validate=validate.Length(min=1, max=100))
    company_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))


class ArchiveInput(Schema):
    record_id = fields.Integer(required=True)
    archived = fields.Boolean(required=True)
    version = VERSION


class CompanyQuery(Schema):
    category = fields.String(load_default=None, validate=validate.OneOf(COMPANY_CATEGORIES))
    responsible_id = fields.Integer(load_default=None)
    archived = ARCHIVED
    limit = PAGE["limit"]
    offset = PAGE["offset"]


class MergeInput(Schema):
    keep_id = fields.Integer(required=True, validate=validate.Range(min=1))
    merge_id = fields.Integer(required=True, validate=validate.Range(min=1))


class ErasureInput(Schema):
    contact_id = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ReassignInput(Schema):
    from_user_id = fields.Integer(required=True, validate=validate.Range(min=1))
    to_user_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class RuleInput(Schema):
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))
    keyword = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    max_duration_seconds = fields.Integer(load_default=None, validate=validate.Range(min=0, max=3600))


class RulesInput(Schema):
    rules = fields.List(fields.Nested(RuleInput), required=True, validate=validate.Length(max=200))


class ImportRow(Schema):
    line = fields.Integer(required=True)
    legacy_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(load_default=None, validate=validate.Length(max=40))
    email = fields.Email(load_default=None)
    title = fields.String(load_default=None, validate=validate.Length(max=300))
    message = fields.String(load_default="", validate=validate.Length(max=5000))
    stage = fields.String(required=True, validate=validate.Length(min=1, max=200))
    request_type = fields.String(load_default=None, validate=validate.Length(max=100))
    client_type = fields.String(load_default=None, validate=validate.OneOf(CLIENT_TYPES))
    created_at = fields.AwareDateTime(load_default=None)
