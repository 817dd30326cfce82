"""Events deals publishes (exchange `deals.events`): a schema and an example for each."""
from marshmallow import Schema, fields

from crm_chassis.events import changes_field


class DealCreatedV1(Schema):
    deal_id = fields.Integer(required=True)
    pipeline = fields.String(required=True)
    stage = fields.String(required=True)
    title = fields.String(required=True)
    contact_id = fields.Integer(allow_none=True)
    amount = fields.Decimal(as_string=True, required=True)
    created_at = fields.AwareDateTime(required=True)
    company_id = fields.Integer(allow_none=True)
    lead_id = fields.Integer(allow_none=True)
    parent_deal_id = fields.Integer(allow_none=True)
    responsible_id = fields.Integer(allow_none=True)
    # added later (additive): the custom field values the deal starts with
    custom_fields = fields.Dict(attribute="fields", data_key="fields")


class DealStageChangedV1(Schema):
    deal_id = fields.Integer(required=True)
    pipeline = fields.String(required=True)
    from_stage = fields.String(required=True)
    to_stage = fields.String(required=True)
    changed_at = fields.AwareDateTime(required=True)
    from_pipeline = fields.String()
    to_kind = fields.String()
    rule_id = fields.Integer(allow_none=True)
    responsible_id = fields.Integer(allow_none=True)


class DealClosedV1(Schema):
    deal_id = fields.Integer(required=True)
    pipeline = fields.String(required=True)
    result = fields.String(required=True)
    result_kind = fields.String(required=True)
    parent_deal_id = fields.Integer(allow_none=True)
    responsible_id = fields.Integer(allow_none=True)
    closed_at = fields.AwareDateTime(required=True)
    amount = fields.Decimal(as_string=True)  # added later (additive)


class DealFieldsChangedV1(Schema):
    """Custom fields changed: `fields` holds every current value, `changed` the codes that moved."""

    deal_id = fields.Integer(required=True)
    pipeline = fields.String(required=True)
    custom_fields = fields.Dict(attribute="fields", data_key="fields", required=True)
    changed = fields.List(fields.String(), required=True)
    changed_at = fields.AwareDateTime(required=True)
    responsible_id = fields.Integer(allow_none=True)


class DealResponsibleChangedV1(Schema):
    deal_id = fields.Integer(required=True)
    from_user_id = fields.Integer(allow_none=True)
    to_user_id = fields.Integer(required=True)
    batch_id = fields.String(allow_none=True)
    # added later (additive): the deal's title, and who asked for the change (none: nobody, e.g. an absence)
    title = fields.String()
    by_user_id = fields.Integer(allow_none=True)


class NotificationRequestedV1(Schema):
    deal_id = fields.Integer(required=True)
    recipient_user_ids = fields.List(fields.Integer(), required=True)
    text = fields.String(required=True)
    rule_id = fields.Integer(allow_none=True)


class TaskCreatedV1(Schema):
    task_id = fields.Integer(required=True)
    deal_id = fields.Integer(required=True)
    title = fields.String(required=True)
    assignee_id = fields.Integer(allow_none=True)
    due_at = fields.AwareDateTime(required=True)
    created_at = fields.AwareDateTime(required=True)


class TaskCompletedV1(Schema):
    task_id = fields.Integer(required=True)
    deal_id = fields.Integer(required=True)
    assignee_id = fields.Integer(allow_none=True)
    completed_at = fields.AwareDateTime(required=True)


class TaskOverdueV1(Schema):
    task_id = fields.Integer(required=True)
    deal_id = fields.Integer(required=True)
    title = fields.String(required=True)
    assignee_id = fields.Integer(allow_none=True)
    due_at = fields.AwareDateTime(required=True)


class ApprovalRequestedV1(Schema):
    approval_id = fields.Integer(required=True)
    deal_id = fields.Integer(required=True)
    title = fields.String(required=True)
    approver_id = fields.Integer(required=True)


class InvoicePaidV1(Schema):
    invoice_id = fields.Integer(required=True)
    deal_id = fields.Integer(required=True)
    number = fields.String(required=True)
    amount = fields.Decimal(as_string=True, required=True)
    paid_amount = fields.Decimal(as_string=True, required=True)
    status = fields.String(required=True)


class InvoiceOverdueV1(Schema):
    invoice_id = fields.Integer(required=True)
    deal_id = fields.Integer(required=True)
    number = fields.String(required=True)
    amount = fields.Decimal(as_string=True, required=True)
    paid_amount = fields.Decimal(as_string=True, required=True)
    due_date = fields.Date(required=True)


class BookingRequestedV1(Schema):
    deal_id = fields.Integer(required=True)
    skill = fields.String(required=True)
    zone = fields.String(allow_none=True)
    duration_minutes = fields.Integer(required=True)
    within_days = fields.Integer(required=True)
    address = fields.String(required=True)
    title = fields.String(required=True)


class _Changed(Schema):
    """An edit: the record's new version and only the fields that changed, each `{"from", "to"}`."""

    version = fields.Integer(required=True)
    changes = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)


class DealChangedV1(_Changed):
    """`changes` may name title, amount (as a string), responsible_id, contact_id, company_id and
    custom fields as `fields.<code>`."""

    deal_id = fields.Integer(required=True)


class TaskChangedV1(_Changed):
    """`changes` may name title, due_at (ISO time) and assignee_id."""

    task_id = fields.Integer(required=True)


class DealArchivedV1(Schema):
    """Archived or restored (`deal.restored.v1`, the same shape)."""

    deal_id = fields.Integer(required=True)
    version = fields.Integer(required=True)


class TaskArchivedV1(Schema):
    task_id = fields.Integer(required=True)
    version = fields.Integer(required=True)


class StageArchivedV1(Schema):
    stage_id = fields.Integer(required=True)
    version = fields.Integer(required=True)


# -- configuration: pipelines, automation rules, a configuration file loaded -----------------

class PipelineCreatedV1(Schema):
    pipeline_id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    client_type = fields.String(allow_none=True)
    stages = fields.List(fields.String(), required=True)
    custom_fields = fields.List(fields.String(), attribute="fields", data_key="fields", required=True)


class PipelineChangedV1(Schema):
    """`changes` names a field added (`fields`) or a stage's gate (`stages.<code>.required_fields`, ...)."""
    pipeline_id = fields.Integer(required=True)
    code = fields.String(required=True)
    changes = changes_field(required=True)


class AutomationRuleSavedV1(Schema):
    automation_rule_id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    changes = changes_field(required=True)


class AutomationRuleSwitchedV1(Schema):
    automation_rule_id = fields.Integer(required=True)
    version = fields.Integer(required=True)


class ConfigurationLoadedV1(Schema):
    pipelines_created = fields.List(fields.String(), required=True)
    fields_added = fields.List(fields.String(), required=True)
    gates_set = fields.List(fields.String(), required=True)
    rules_created = fields.List(fields.String(), required=True)
    rules_changed = fields.List(fields.String(), required=True)


SCHEMAS = {
    "deal.created.v1": DealCreatedV1, "deal.stage_changed.v1": DealStageChangedV1, "deal.closed.v1": DealClosedV1,
    "deal.notification_requested.v1": NotificationRequestedV1, "deal.task_overdue.v1": TaskOverdueV1,
    "deal.approval_requested.v1": ApprovalRequestedV1, "deal.invoice_paid.v1": InvoicePaidV1,
    "deal.invoice_overdue.v1": InvoiceOverdueV1, "deal.booking_requested.v1": BookingRequestedV1,
    "deal.fields_changed.v1": DealFieldsChangedV1, "deal.responsible_changed.v1": DealResponsibleChangedV1,
    "deal.task_created.v1": TaskCreatedV1, "deal.task_completed.v1": TaskCompletedV1,
    "deal.changed.v1": DealChangedV1, "deal.archived.v1": DealArchivedV1, "deal.restored.v1": DealArchivedV1,
    "task.changed.v1": TaskChangedV1, "task.archived.v1": TaskArchivedV1, "task.restored.v1": TaskArchivedV1,
    "stage.archived.v1": StageArchivedV1, "stage.restored.v1": StageArchivedV1,
    "pipeline.created.v1": PipelineCreatedV1, "pipeline.changed.v1": PipelineChangedV1,
    "automation_rule.saved.v1": AutomationRuleSavedV1, "automation_rule.activated.v1": AutomationRuleSwitchedV1,
    "automation_rule.deactivated.v1": AutomationRuleSwitchedV1, "configuration.loaded.v1": ConfigurationLoadedV1,
}

EXAMPLES = {
    "deal.created.v1": {
        "deal_id": 15, "pipeline": "private", "stage": "new", "title": "Подключение: Иван Петров",
        "contact_id": 7, "amount": "1500.00", "created_at": "2026-11-23T09:20:00+00:00", "company_id": None,
        "lead_id": 42, "parent_deal_id": None, "responsible_id": 3, "fields": {"service": "Тренажёрный зал"},
    },
    "deal.stage_changed.v1": {
        "deal_id": 15, "pipeline": "private", "from_stage": "new", "to_stage": "contract",
        "changed_at": "2026-11-24T10:00:00+00:00", "from_pipeline": "private", "to_kind": "open", "rule_id": None,
        "responsible_id": 3,
    },
    "deal.closed.v1": {
        "deal_id": 16, "pipeline": "connection", "result": "done", "result_kind": "won", "parent_deal_id": 15,
        "responsible_id": 3, "closed_at": "2026-11-25T12:00:00+00:00", "amount": "1500.00",
    },
    "deal.notification_requested.v1": {
        "deal_id": 15, "recipient_user_ids": [3], "text": "Подключение по сделке «Подключение: Иван Петров»: done",
        "rule_id": 2,
    },
    "deal.invoice_paid.v1": {"invoice_id": 9, "deal_id": 15, "number": "2026-00012", "amount": "50000.00",
                             "paid_amount": "50000.00", "status": "paid"},
    "deal.invoice_overdue.v1": {"invoice_id": 10, "deal_id": 15, "number": "2026-00013", "amount": "50000.00",
                                "paid_amount": "0.00", "due_date": "2026-12-01"},
    "deal.booking_requested.v1": {"deal_id": 16, "skill": "подключение", "zone": None, "duration_minutes": 120,
                                  "within_days": 7, "address": "г. Москва, ул. Лесная, д. 5, кв. 12",
                                  "title": "Подключение: Интернет: Иван Петров"},
    "deal.approval_requested.v1": {"approval_id": 4, "deal_id": 15, "title": "Согласовать скидку 10%",
                                   "approver_id": 2},
    "deal.task_overdue.v1": {
        "task_id": 8, "deal_id": 15, "title": "Отправить счёт", "assignee_id": 3,
        "due_at": "2026-11-24T12:00:00+00:00",
    },
    "deal.fields_changed.v1": {
        "deal_id": 15, "pipeline": "fitness", "fields": {"service": "Бассейн", "membership_end": "2026-12-31"},
        "changed": ["membership_end"], "changed_at": "2026-11-24T10:00:00+00:00", "responsible_id": 3,
    },
    "deal.responsible_changed.v1": {"deal_id": 15, "from_user_id": 3, "to_user_id": 5, "batch_id": "absence:12",
                                    "title": "Подключение: Иван Петров", "by_user_id": None},
    "deal.task_created.v1": {
        "task_id": 8, "deal_id": 15, "title": "Отправить счёт", "assignee_id": 3,
        "due_at": "2026-11-24T12:00:00+00:00", "created_at": "2026-11-23T12:00:00+00:00",
    },
    "deal.task_completed.v1": {"task_id": 8, "deal_id": 15, "assignee_id": 3,
                               "completed_at": "2026-11-24T11:00:00+00:00"},
    "deal.changed.v1": {"deal_id": 15, "version": 4, "changes": {
        "amount": {"from": "1500.00", "to": "1800.00"}, "responsible_id": {"from": 3, "to": 5},
        "fields.service": {"from": "Бассейн", "to": "Тренажёрный зал"}}},
    "deal.archived.v1": {"deal_id": 15, "version": 5},
    "deal.restored.v1": {"deal_id": 15, "version": 6},
    "task.changed.v1": {"task_id": 8, "version": 2, "changes": {
        "due_at": {"from": "2026-11-24T12:00:00+00:00", "to": "2026-11-26T12:00:00+00:00"}}},
    "task.archived.v1": {"task_id": 8, "version": 3},
    "task.restored.v1": {"task_id": 8, "version": 4},
    "stage.archived.v1": {"stage_id": 4, "version": 2},
    "stage.restored.v1": {"stage_id": 4, "version": 3},
    "pipeline.created.v1": {"pipeline_id": 4, "code": "fitness", "name": "Абонементы", "client_type": None,
                            "stages": ["new", "visit", "bought"], "fields": ["visit_date", "membership_end"]},
    "pipeline.changed.v1": {"pipeline_id": 4, "code": "fitness", "changes": {
        "stages.bought.required_fields": {"from": [], "to": ["membership_end"]}}},
    "automation_rule.saved.v1": {"automation_rule_id": 2, "version": 3, "name": "Замер после договора", "changes": {
        "definition": {"from": {"trigger": {"type": "entered_stage", "stage": "contract"}, "actions": []},
                       "to": {"trigger": {"type": "entered_stage", "stage": "contract"},
                              "actions": [{"type": "move", "stage": "measure"}]}}}},
    "automation_rule.activated.v1": {"automation_rule_id": 2, "version": 3},
    "automation_rule.deactivated.v1": {"automation_rule_id": 2, "version": 3},
    "configuration.loaded.v1": {"pipelines_created": ["fitness"], "fields_added": ["sales.address"],
                                "gates_set": ["sales.contract"], "rules_created": ["Замер после договора"],
                                "rules_changed": []},
}
