"""Events leads publishes (exchange `leads.events`): a schema and an example for each."""
from marshmallow import Schema, fields

from crm_chassis.events import changes_field


class LeadCreatedV1(Schema):
    lead_id = fields.Integer(required=True)
    contact_id = fields.Integer(required=True)
    source = fields.String(required=True)
    channel = fields.String(required=True)
    title = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    new_contact = fields.Boolean(required=True)
    responsible_id = fields.Integer(allow_none=True)
    stage = fields.String()


class LeadStageChangedV1(Schema):
    lead_id = fields.Integer(required=True)
    from_stage = fields.String(required=True)
    to_stage = fields.String(required=True)
    to_kind = fields.String(required=True)
    responsible_id = fields.Integer(allow_none=True)
    by = fields.String(required=True)


class LeadConvertedV1(Schema):
    lead_id = fields.Integer(required=True)
    contact_id = fields.Integer(required=True)
    company_id = fields.Integer(allow_none=True)
    client_type = fields.String(required=True)
    request_type = fields.String(required=True)
    title = fields.String(required=True)
    responsible_id = fields.Integer(allow_none=True)
    converted_at = fields.AwareDateTime(required=True)


class CommunicationRecordedV1(Schema):
    communication_id = fields.Integer(required=True)
    contact_id = fields.Integer(required=True)
    company_id = fields.Integer(allow_none=True)
    lead_id = fields.Integer(allow_none=True)
    deal_id = fields.Integer(allow_none=True)
    channel = fields.String(required=True)
    direction = fields.String(required=True)
    status = fields.String(required=True)
    category = fields.String(allow_none=True)
    occurred_at = fields.AwareDateTime(required=True)
    duration_seconds = fields.Integer(allow_none=True)
    recording_url = fields.String(allow_none=True)
    # added later (additive): who it was, for a live "incoming call" line
    contact_name = fields.String()
    from_address = fields.String(allow_none=True)
    responsible_id = fields.Integer(allow_none=True)  # the contact's, for who may see it live


class CompanyCreatedV1(Schema):
    company_id = fields.Integer(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True)
    responsible_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime(required=True)


class ContactAttachedV1(Schema):
    """A contact now works for a company (its earlier communications count for the company too)."""

    contact_id = fields.Integer(required=True)
    company_id = fields.Integer(required=True)


class ContactMergedV1(Schema):
    kept_id = fields.Integer(required=True)
    merged_id = fields.Integer(required=True)


class PersonalDataV1(Schema):
    names = fields.List(fields.String(), required=True)
    phones = fields.List(fields.String(), required=True)  # E.164, or as written when unparseable
    emails = fields.List(fields.String(), required=True)
    telegram_ids = fields.List(fields.String(), required=True)


class ContactErasedV1(Schema):
    """A contact's personal data was erased on request. `personal` is transient (the envelope
    says so): consumers use it to find their copies and never store it; the outbox row keeps the
    event without it once published. Everything else here is no personal data: the record."""

    contact_id = fields.Integer(required=True)
    erased_at = fields.String(required=True)
    reason = fields.String(allow_none=True)
    erased_by = fields.Integer(allow_none=True)
    merged_ids = fields.List(fields.Integer(), required=True)  # contacts merged into it, erased with it
    deal_ids = fields.List(fields.Integer(), required=True)  # its deals, for copies keyed by deal
    personal = fields.Nested(PersonalDataV1, required=True)


class OwnershipReassignedV1(Schema):
    batch_id = fields.String(required=True)
    from_user_id = fields.Integer(required=True)
    to_user_id = fields.Integer(required=True)
    reason = fields.String(required=True)
    company_ids = fields.List(fields.Integer(), required=True)
    contact_ids = fields.List(fields.Integer(), required=True)
    lead_ids = fields.List(fields.Integer(), required=True)
    by_user_id = fields.Integer(allow_none=True)  # added later (additive): who asked; none for an absence


class OwnershipReturnedV1(Schema):
    batch_id = fields.String(required=True)
    from_user_id = fields.Integer(required=True)
    to_user_id = fields.Integer(required=True)
    company_ids = fields.List(fields.Integer(), required=True)
    contact_ids = fields.List(fields.Integer(), required=True)
    lead_ids = fields.List(fields.Integer(), required=True)
    by_user_id = fields.Integer(allow_none=True)  # added later (additive): who asked; none for an absence


class _Changed(Schema):
    """An edit: only the fields that really changed, each `{"from", "to"}`, and the version it made."""

    version = fields.Integer(required=True)
    changes = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)


class _Versioned(Schema):
    version = fields.Integer(required=True)


class ContactChangedV1(_Changed):
    contact_id = fields.Integer(required=True)


class CompanyChangedV1(_Changed):
    company_id = fields.Integer(required=True)


class LeadChangedV1(_Changed):
    lead_id = fields.Integer(required=True)


class ContactArchivedV1(_Versioned):
    """Archived (hidden from lists, kept for history) or, under `.restored`, back."""

    contact_id = fields.Integer(required=True)


class CompanyArchivedV1(_Versioned):
    company_id = fields.Integer(required=True)


class LeadArchivedV1(_Versioned):
    lead_id = fields.Integer(required=True)


# -- configuration: intake, lead stages, company categories, duty and substitutes ------------

class BlockedNumberAddedV1(Schema):
    """A number whose calls and messages intake ignores; `blocked_number_id` is the number (E.164)."""
    blocked_number_id = fields.String(required=True)
    reason = fields.String(required=True)


class IntakeRulesReplacedV1(Schema):
    """The category rules of intake, all at once: `changes.rules` from the old list to the new."""
    changes = changes_field(required=True)


class LeadStageSavedV1(Schema):
    """A lead stage added or changed; `lead_stage_id` is its code."""
    lead_stage_id = fields.String(required=True)
    changes = changes_field(required=True)


class CompanyCategoryChangedV1(Schema):
    """`company_category_id` is the category's letter; `changes.contact_interval_days`."""
    company_category_id = fields.String(required=True)
    changes = changes_field(required=True)


class UserSettingChangedV1(Schema):
    """A user's place in the duty roster (`changes.on_duty`) or their substitute (`changes.substitute_id`)."""
    user_id = fields.Integer(required=True)
    changes = changes_field(required=True)


SCHEMAS = {
    "blocked_number.added.v1": BlockedNumberAddedV1,
    "intake_rules.replaced.v1": IntakeRulesReplacedV1,
    "lead_stage.saved.v1": LeadStageSavedV1,
    "company_category.changed.v1": CompanyCategoryChangedV1,
    "duty_roster.changed.v1": UserSettingChangedV1,
    "substitute.changed.v1": UserSettingChangedV1,
    "lead.created.v1": LeadCreatedV1,
    "lead.stage_changed.v1": LeadStageChangedV1,
    "lead.converted.v1": LeadConvertedV1,
    "communication.recorded.v1": CommunicationRecordedV1,
    "contact.merged.v1": ContactMergedV1,
    "contact.erased.v1": ContactErasedV1,
    "ownership.reassigned.v1": OwnershipReassignedV1,
    "ownership.returned.v1": OwnershipReturnedV1,
    "company.created.v1": CompanyCreatedV1,
    "contact.attached.v1": ContactAttachedV1,
    "contact.changed.v1": ContactChangedV1,
    "company.changed.v1": CompanyChangedV1,
    "lead.changed.v1": LeadChangedV1,
    "contact.archived.v1": ContactArchivedV1,
    "contact.restored.v1": ContactArchivedV1,
    "company.archived.v1": CompanyArchivedV1,
    "company.restored.v1": CompanyArchivedV1,
    "lead.archived.v1": LeadArchivedV1,
    "lead.restored.v1": LeadArchivedV1,
}

EXAMPLES = {
    "lead.created.v1": {
        "lead_id": 42, "contact_id": 7, "source": "site-main", "channel": "web_form",
        "title": "Заявка с сайта site-main: Иван Петров", "created_at": "2026-11-23T09:15:00+00:00",
        "new_contact": True, "responsible_id": 3, "stage": "new",
    },
    "lead.stage_changed.v1": {
        "lead_id": 42, "from_stage": "new", "to_stage": "lost_expensive", "to_kind": "lost",
        "responsible_id": 3, "by": "api",
    },
    "lead.converted.v1": {
        "lead_id": 42, "contact_id": 7, "company_id": None, "client_type": "private",
        "request_type": "подключение", "title": "Заявка с сайта site-main: Иван Петров", "responsible_id": 3,
        "converted_at": "2026-11-23T10:00:00+00:00",
    },
    "communication.recorded.v1": {
        "communication_id": 501, "contact_id": 7, "company_id": 2, "lead_id": 42, "deal_id": None,
        "channel": "call", "direction": "in", "status": "completed", "category": "new_request",
        "occurred_at": "2026-11-23T09:14:00+00:00", "duration_seconds": 95,
        "recording_url": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
        "contact_name": "Иван Петров", "from_address": "+79161234567", "responsible_id": 3,
    },
    "contact.merged.v1": {"kept_id": 7, "merged_id": 19},
    "contact.erased.v1": {
        "contact_id": 7, "erased_at": "2026-11-24T12:00:00+00:00", "reason": "Запрос клиента по 152-ФЗ",
        "erased_by": 1, "merged_ids": [19], "deal_ids": [15],
        "personal": {"names": ["Иван Петров"], "phones": ["+79161234567"], "emails": ["ivan@example.ru"],
                     "telegram_ids": ["123456789"]},
    },
    "ownership.reassigned.v1": {
        "batch_id": "absence:12", "from_user_id": 3, "to_user_id": 5, "reason": "отпуск",
        "company_ids": [2], "contact_ids": [7, 8], "lead_ids": [42], "by_user_id": 1,
    },
    "ownership.returned.v1": {
        "batch_id": "absence:12", "from_user_id": 5, "to_user_id": 3,
        "company_ids": [2], "contact_ids": [7, 8], "lead_ids": [42], "by_user_id": None,
    },
    "company.created.v1": {"company_id": 2, "name": "ООО «Ромашка»", "category": "A", "responsible_id": 3,
                           "created_at": "2026-11-23T08:00:00+00:00"},
    "contact.attached.v1": {"contact_id": 7, "company_id": 2},
    "contact.changed.v1": {"contact_id": 7, "version": 3, "changes": {
        "name": {"from": "Иван Петров", "to": "Иван Петрович Петров"},
        "phone": {"from": "+79161234567", "to": "+79037654321"},
        "phones": {"from": ["+79161234567"], "to": ["+79037654321"]},
        "company_id": {"from": None, "to": 2}}},
    "company.changed.v1": {"company_id": 2, "version": 4, "changes": {
        "category": {"from": "C", "to": "A"}, "responsible_id": {"from": 3, "to": 5},
        "name": {"from": "ООО «Ромашка»", "to": "ООО «Ромашка-Сервис»"}}},
    "lead.changed.v1": {"lead_id": 42, "version": 2, "changes": {
        "title": {"from": "Заявка с сайта", "to": "Подключение офиса"}, "responsible_id": {"from": 3, "to": 5},
        "request_type": {"from": None, "to": "подключение"}}},
    "contact.archived.v1": {"contact_id": 7, "version": 4},
    "contact.restored.v1": {"contact_id": 7, "version": 5},
    "company.archived.v1": {"company_id": 2, "version": 5},
    "company.restored.v1": {"company_id": 2, "version": 6},
    "lead.archived.v1": {"lead_id": 42, "version": 3},
    "lead.restored.v1": {"lead_id": 42, "version": 4},
    "blocked_number.added.v1": {"blocked_number_id": "+74951234567", "reason": "спам"},
    "intake_rules.replaced.v1": {"changes": {"rules": {
        "from": [], "to": [{"category": "spam", "channel": "call", "keyword": None, "max_duration_seconds": 5}]}}},
    "lead_stage.saved.v1": {"lead_stage_id": "qualified", "changes": {
        "required_fields": {"from": [], "to": ["request_type"]}}},
    "company_category.changed.v1": {"company_category_id": "A", "changes": {
        "contact_interval_days": {"from": 14, "to": 10}}},
    "duty_roster.changed.v1": {"user_id": 3, "changes": {"on_duty": {"from": True, "to": False}}},
    "substitute.changed.v1": {"user_id": 3, "changes": {"substitute_id": {"from": None, "to": 5}}},
}
