from crm_chassis import context, scope
from crm_chassis.handlers import on_event
from crm_chassis.service import ServiceBase, rpc
from crm_chassis.validation import load
from crm_leads import client_records, clients, erasure, importer, inbox, intake, ownership, pipeline, search
from crm_leads.readings import AbsenceReading, DealReading, DealResponsibleReading
from crm_leads.schemas import (
    ArchiveInput, CardQuery, CommunicationInput, CompanyEditInput, CompanyInput, CompanyQuery, ContactEditInput,
    ContactQuery, ErasureInput, InboxQuery, IntervalInput, LeadListQuery, LeadUpdateInput, ManualLeadInput,
    MergeInput, MoveInput, ReassignInput, RulesInput, SearchInput, StageInput, WebFormSchema,
)


class LeadsService(ServiceBase):
    name = "leads"

    @property
    def region(self) -> str:
        return self.config["DEFAULT_PHONE_REGION"]

    # -- intake ---------------------------------------------------------------------------

    @rpc
    def intake_web_form(self, form: dict) -> dict:
        return self.db.transaction(intake.intake_web_form, load(WebFormSchema(), form), self.region)

    @rpc
    def record_communication(self, item: dict) -> dict:
        return self.db.transaction(intake.record, load(CommunicationInput(), item), self.region)

    @rpc
    def list_communications(self, **query) -> dict:
        return self.db.read(inbox.list_inbox, **load(InboxQuery(), query))

    @rpc
    def block_number(self, phone: str, reason: str = "") -> dict:
        return self.db.transaction(intake.set_blocked, phone, reason, self.region)

    @rpc
    def blocked_numbers(self) -> list[dict]:
        return self.db.read(intake.list_blocked)

    @rpc
    def category_rules(self) -> list[dict]:
        return self.db.read(intake.list_rules)

    @rpc
    def replace_category_rules(self, **spec) -> list[dict]:
        return self.db.transaction(intake.replace_rules, load(RulesInput(), spec)["rules"])

    # -- leads ----------------------------------------------------------------------------

    @rpc
    def lead_stages(self) -> list[dict]:
        return self.db.read(pipeline.list_stages)

    @rpc
    def save_lead_stage(self, **spec) -> list[dict]:
        return self.db.transaction(pipeline.save_stage, load(StageInput(), spec))

    @rpc
    def create_lead(self, **spec) -> dict:
        return self.db.transaction(pipeline.create_manual, load(ManualLeadInput(), spec), self.region)

    @rpc
    def get_lead(self, lead_id: int) -> dict:
        return self.db.read(pipeline.visible_lead, lead_id)

    @rpc
    def list_leads(self, **filters) -> dict:
        return self.db.read(pipeline.list_leads, **load(LeadListQuery(), filters))

    @rpc
    def update_lead(self, **changes) -> dict:
        spec = load(LeadUpdateInput(), changes)
        return self.db.transaction(pipeline.update_lead, spec.pop("lead_id"), spec.pop("version"), spec)

    @rpc
    def archive_lead(self, **command) -> dict:
        archive = load(ArchiveInput(), command)
        return self.db.transaction(pipeline.archive_lead, archive["record_id"], archive["archived"],
                                   archive["version"])

    @rpc
    def move_lead(self, **command) -> dict:
        move = load(MoveInput(), command)
        return self.db.transaction(pipeline.move_lead, move["lead_id"], move["stage"], move["fields"])

    # -- clients --------------------------------------------------------------------------

    @rpc
    def client_card(self, **query) -> dict:
        return self.db.read(clients.client_card, **load(CardQuery(), query))

    @rpc
    def search(self, **query) -> dict:
        return self.db.read(search.search, **load(SearchInput(), query), region=self.region,
                            responsible_ids=scope.visible_ids())

    @rpc
    def list_contacts(self, **query) -> dict:
        return self.db.read(clients.list_contacts, **load(ContactQuery(), query))

    @rpc
    def contact_addresses(self, contact_ids: list) -> list[dict]:
        ids = [int(i) for i in contact_ids if str(i).isdigit()][:10000]
        return self.db.read(clients.addresses, ids)

    @rpc
    def create_company(self, **spec) -> dict:
        return self.db.transaction(clients.create_company, load(CompanyInput(), spec))

    @rpc
    def get_company(self, company_id: int) -> dict:
        return self.db.read(client_records.visible_company, int(company_id))

    @rpc
    def edit_company(self, **edit) -> dict:
        spec = load(CompanyEditInput(), edit)
        return self.db.transaction(client_records.edit_company, spec.pop("company_id"), spec.pop("version"), spec)

    @rpc
    def archive_company(self, **command) -> dict:
        archive = load(ArchiveInput(), command)
        return self.db.transaction(client_records.archive_company, archive["record_id"], archive["archived"],
                                   archive["version"])

    @rpc
    def edit_contact(self, **edit) -> dict:
        spec = load(ContactEditInput(), edit)
        return self.db.transaction(client_records.edit_contact, spec.pop("contact_id"), spec.pop("version"), spec,
                                   self.region)

    @rpc
    def archive_contact(self, **command) -> dict:
        archive = load(ArchiveInput(), command)
        return self.db.transaction(client_records.archive_contact, archive["record_id"], archive["archived"],
                                   archive["version"])

    @rpc
    def company_categories(self) -> list[dict]:
        return self.db.read(clients.company_categories)

    @rpc
    def set_contact_interval(self, **spec) -> list[dict]:
        interval = load(IntervalInput(), spec)
        return self.db.transaction(clients.set_contact_interval, interval["category"],
                                   interval["contact_interval_days"])

    @rpc
    def list_companies(self, **query) -> dict:
        return self.db.read(clients.list_companies, **load(CompanyQuery(), query))

    @rpc
    def attach_to_company(self, contact_id: int, company_id: int) -> dict:
        return self.db.transaction(clients.attach_to_company, contact_id, company_id)

    @rpc
    def merge_contacts(self, **spec) -> dict:
        merge = load(MergeInput(), spec)
        return self.db.transaction(clients.merge_contacts, merge["keep_id"], merge["merge_id"])

    @rpc
    def suggested_duplicates(self, limit: int = 100) -> list[dict]:
        return self.db.read(clients.suggested_duplicates, min(max(int(limit), 1), 500))

    @rpc
    def erase_contact(self, **request) -> dict:
        erase = load(ErasureInput(), request)
        return self.db.transaction(erasure.erase_contact, erase["contact_id"], erase["reason"],
                                   context.current_user_id())

    # -- ownership ------------------------------------------------------------------------

    @rpc
    def set_duty(self, user_id: int, on_duty: bool) -> dict:
        return self.db.transaction(ownership.set_duty, user_id, on_duty)

    @rpc
    def duty_roster(self) -> list[dict]:
        return self.db.read(ownership.list_duty)

    @rpc
    def set_substitute(self, user_id: int, substitute_id: int) -> dict:
        return self.db.transaction(ownership.set_substitute, user_id, substitute_id)

    @rpc
    def reassign(self, **spec) -> dict:
        move = load(ReassignInput(), spec)
        return self.db.transaction(ownership.reassign, move["from_user_id"], move["to_user_id"], move["reason"],
                                   by_user_id=context.current_user_id())

    @rpc
    def open_work_of(self, user_id: int) -> dict:
        return self.db.read(ownership.open_work_of, int(user_id))

    @rpc
    def return_assignments(self, batch_id: str) -> dict:
        return self.db.transaction(ownership.return_assignments, batch_id, by_user_id=context.current_user_id())

    @on_event("scheduling", "absence.started.v1", AbsenceReading)
    def hand_over_for_absence(self, tx, absence, envelope):
        if absence["user_id"] is not None:
            ownership.reassign(tx, absence["user_id"], None, absence["kind"], f"absence:{absence['absence_id']}")

    @on_event("scheduling", "absence.ended.v1", AbsenceReading)
    def hand_back_after_absence(self, tx, absence, envelope):
        if absence["user_id"] is not None and absence["kind"] != "dismissal":
            ownership.return_assignments(tx, f"absence:{absence['absence_id']}", missing_ok=True)

    # -- deals of contacts ------------------------------------------------------------------

    @on_event("deals", "deal.created.v1", DealReading)
    def link_contact_to_deal(self, tx, deal, envelope):
        intake.note_deal(tx, deal)

    @on_event("deals", "deal.closed.v1", DealReading)
    def unlink_closed_deal(self, tx, deal, envelope):
        intake.close_deal(tx, deal["deal_id"])

    @on_event("deals", "deal.responsible_changed.v1", DealResponsibleReading)
    def follow_deal_responsible(self, tx, moved, envelope):
        intake.deal_handed_over(tx, moved["deal_id"], moved["to_user_id"])

    # -- legacy import --------------------------------------------------------------------

    @rpc
    def import_leads(self, rows: list, stages: dict, legacy_stages: list, batch_name: str | None = None) -> dict:
        return self.db.transaction(importer.import_rows, rows, stages, legacy_stages, self.region, batch_name)

    @rpc
    def migrate_stages(self, mapping: dict, batch_size: int = 500) -> dict:
        return self.db.transaction(importer.migrate_stages, mapping, min(max(int(batch_size), 1), 5000))
