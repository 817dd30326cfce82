from marshmallow import Schema, fields, validate

from crm_deals.domain.fields import FIELD_TYPES

CODE = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,62}$", error="lower-case letters, digits, '_', '-'")
PAGE = {"limit": fields.Integer(load_default=50, validate=validate.Range(min=1, max=500)),
        "offset": fields.Integer(load_default=0, validate=validate.Range(min=0))}


class StageInput(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="open", validate=validate.OneOf(["open", "won", "lost"]))
    required_fields = fields.List(fields.String(validate=CODE), load_default=list)
    required_documents = fields.List(fields.String(validate=CODE), load_default=list)


class FieldInput(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    type = fields.String(required=True, validate=validate.OneOf(FIELD_TYPES))
    options = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=None)


class PipelineInput(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client_type = fields.String(load_default=None, validate=validate.OneOf(["private", "business"]))
    stages = fields.List(fields.Nested(StageInput), required=True, validate=validate.Length(min=1, max=50))
    fields_ = fields.List(fields.Nested(FieldInput), data_key="fields", attribute="fields", load_default=list)


class StageGateInput(Schema):
    pipeline = fields.String(required=True, validate=CODE)
    stage = fields.String(required=True, validate=CODE)
    required_fields = fields.List(fields.String(validate=CODE), load_default=list)
    required_documents = fields.List(fields.String(validate=CODE), load_default=list)


class PaymentInput(Schema):
    due_date = fields.Date(required=True)
    amount = fields.Decimal(required=True, places=2, validate=validate.Range(min=0.01, max=10**12))


class ScheduleInput(Schema):
    deal_id = fields.Integer(required=True)
    payments = fields.List(fields.Nested(PaymentInput), required=True, validate=validate.Length(min=1, max=120))
    accept_difference = fields.Boolean(load_default=False)


class PaymentRegistration(Schema):
    invoice_id = fields.Integer(required=True)
    amount = fields.Decimal(required=True, places=2, validate=validate.Range(min=0.01, max=10**12))


class DocumentInput(Schema):
    deal_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=CODE)
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_type = fields.String(required=True, validate=validate.Length(min=1, max=200))
    content_b64 = fields.String(required=True)


class DealInput(Schema):
    pipeline = fields.String(required=True, validate=CODE)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    contact_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    company_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    amount = fields.Decimal(load_default=0, places=2, validate=validate.Range(min=0, max=10**12))
    responsible_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    fields_ = fields.Dict(data_key="fields", attribute="fields", load_default=dict)


class MoveInput(Schema):
    deal_id = fields.Integer(required=True)
    stage = fields.String(required=True, validate=CODE)
    fields_ = fields.Dict(data_key="fields", attribute="fields", load_default=dict)


class DealEditInput(Schema):
    """An edit names only what changes, validated as at creation; `version` is the one it read (optional)."""

    deal_id = fields.Integer(required=True)
    version = fields.Integer(load_default=None, validate=validate.Range(min=1))
    title = fields.String(validate=validate.Length(min=1, max=300))
    amount = fields.Decimal(places=2, validate=validate.Range(min=0, max=10**12))
    responsible_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    contact_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    company_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    fields_ = fields.Dict(data_key="fields", attribute="fields")


class ArchiveInput(Schema):
    """Archive or restore a deal or a task, naming the version read (optional)."""

    id = fields.Integer(required=True)
    version = fields.Integer(load_default=None, validate=validate.Range(min=1))
    archived = fields.Boolean(required=True)


class StageArchiveInput(Schema):
    pipeline = fields.String(required=True, validate=CODE)
    stage = fields.String(required=True, validate=CODE)
    archived = fields.Boolean(required=True)


class TaskEditInput(Schema):
    task_id = fields.Integer(required=True)
    version = fields.Integer(load_default=None, validate=validate.Range(min=1))
    title = fields.String(validate=validate.Length(min=1, max=300))
    due_at = fields.AwareDateTime()
    assignee_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))


class DealQuery(Schema):
    pipeline = fields.String(load_default=None)
    stage = fields.String(load_default=None)
    responsible_id = fields.Integer(load_default=None)
    contact_id = fields.Integer(load_default=None)
    parent_deal_id = fields.Integer(load_default=None)
    open_only = fields.Boolean(load_default=False)
    no_planned_activity = fields.Boolean(load_default=False)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    overdue_tasks = fields.Boolean(load_default=False)
    tasks_due_from = fields.AwareDateTime(load_default=None)
    tasks_due_to = fields.AwareDateTime(load_default=None)
    archived = fields.Boolean(load_default=False)
    limit = PAGE["limit"]
    offset = PAGE["offset"]


class BoardQuery(Schema):
    pipeline = fields.String(required=True, validate=CODE)
    responsible_id = fields.Integer(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    per_stage = fields.Integer(load_default=20, validate=validate.Range(min=0, max=100))


class RuleInput(Schema):
    """A rule definition; its parts are checked against the pipelines by the domain."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    pipeline = fields.String(required=True, validate=CODE)
    trigger = fields.Dict(required=True)
    conditions = fields.List(fields.Dict(), load_default=list)
    actions = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=20))


class TaskInput(Schema):
    deal_id = fields.Integer(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    due_at = fields.AwareDateTime(required=True)
    assignee_id = fields.Integer(load_default=None, validate=validate.Range(min=1))


class ApprovalInput(Schema):
    deal_id = fields.Integer(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    approver_id = fields.Integer(required=True, validate=validate.Range(min=1))


class DecisionInput(Schema):
    approval_id = fields.Integer(required=True)
    approved = fields.Boolean(required=True)
    comment = fields.String(load_default=None, validate=validate.Length(max=2000))
    may_override = fields.Boolean(load_default=False)


class CommentInput(Schema):
    deal_id = fields.Integer(required=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    mentioned_user_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), load_default=list)
    is_question = fields.Boolean(load_default=False)


class DealOutput(Schema):
    id = fields.Integer()
    title = fields.String()
    pipeline = fields.String()
    stage = fields.String()
    stage_name = fields.String()
    stage_kind = fields.String()
    contact_id = fields.Integer(allow_none=True)
    company_id = fields.Integer(allow_none=True)
    lead_id = fields.Integer(allow_none=True)
    parent_deal_id = fields.Integer(allow_none=True)
    responsible_id = fields.Integer(allow_none=True)
    amount = fields.Decimal(as_string=True)
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    result = fields.String(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    version = fields.Integer()
    archived_at = fields.AwareDateTime(allow_none=True)
