from datetime import datetime
from zoneinfo import ZoneInfo

from nameko.timer import timer

from crm_chassis import context, scope
from crm_chassis.db import Database
from crm_chassis.erasure import Erasure
from crm_chassis.handlers import on_event
from crm_chassis.search import SearchInput
from crm_chassis.service import ServiceBase, rpc
from crm_chassis.validation import load
from crm_deals import (
    approvals, automation, board, cards, comments, configuration, deals, documents, erasure, payments, pipelines,
    records, search, tasks, timed,
)
from crm_deals.deals import Actor
from crm_deals.readings import (
    BookingCompletedReading, BookingMadeReading, ContactErasedReading, LeadConvertedReading, OwnershipReading,
    RescheduleRequestReading,
)
from crm_deals.schemas import (
    ApprovalInput, ArchiveInput, BoardQuery, CommentInput, DealEditInput, DealInput, DealQuery, DecisionInput,
    FieldInput, StageArchiveInput, TaskEditInput,
    MoveInput, DocumentInput, PaymentRegistration, PipelineDepartmentsInput, PipelineInput, RuleInput, ScheduleInput,
    StageGateInput, TaskInput,
)

OVERDUE_CHECK_SECONDS = 5
TIMED_RULES_CHECK_SECONDS = 30


def _actor() -> Actor:
    return Actor(user_id=context.current_user_id())


class DealsService(ServiceBase):
    name = "deals"
    db = Database(before_commit=automation.run)  # every write's triggers run the rules once, before its commit

    # -- pipelines ------------------------------------------------------------------------

    @rpc
    def create_pipeline(self, **spec) -> dict:
        return self.db.transaction(pipelines.create_pipeline, load(PipelineInput(), spec))

    @rpc
    def add_pipeline_field(self, pipeline: str, **spec) -> dict:
        return self.db.transaction(pipelines.add_field, pipeline, load(FieldInput(), spec))

    @rpc
    def set_stage_gate(self, **spec) -> dict:
        gate = load(StageGateInput(), spec)
        return self.db.transaction(pipelines.set_stage_gate, gate["pipeline"], gate["stage"],
                                   gate["required_fields"], gate["required_documents"])

    @rpc
    def load_configuration(self, pipelines: list | None = None, rules: list | None = None) -> dict:
        return self.db.transaction(configuration.apply, {"pipelines": pipelines, "rules": rules})

    @rpc
    def archive_stage(self, **spec) -> dict:
        command = load(StageArchiveInput(), spec)
        self.db.transaction(records.archive_stage, command["pipeline"], command["stage"], command["archived"])
        return self.db.read(pipelines.get_pipeline, command["pipeline"])

    @rpc
    def list_pipelines(self) -> list[dict]:
        return self.db.read(pipelines.list_pipelines)

    @rpc
    def set_pipeline_departments(self, **spec) -> dict:
        limit = load(PipelineDepartmentsInput(), spec)
        return self.db.transaction(pipelines.set_departments, limit["pipeline"], limit["department_ids"])

    # -- deals ----------------------------------------------------------------------------

    @rpc
    def create_deal(self, **spec) -> dict:
        deal_id = self.db.transaction(deals.create_deal, load(DealInput(), spec), _actor())
        return self.db.read(cards.deal_card, deal_id)

    @rpc
    def get_deal(self, deal_id: int) -> dict:
        return self.db.read(cards.get_deal, deal_id)

    @rpc
    def deal_stages(self, deal_ids: list) -> dict:
        ids = [int(i) for i in deal_ids if str(i).isdigit()][:1000]
        return self.db.read(deals.stages_of, ids)

    @rpc
    def search(self, **query) -> dict:
        return self.db.read(search.search, **load(SearchInput(), query), responsible_ids=scope.visible_ids())

    @rpc
    def list_deals(self, **query) -> dict:
        return self.db.read(deals.list_deals, **load(DealQuery(), query))

    @rpc
    def open_work_of(self, user_id: int) -> dict:
        return self.db.read(deals.open_work_of, int(user_id))

    @rpc
    def deal_board(self, **query) -> dict:
        return self.db.read(board.board, **load(BoardQuery(), query))

    @rpc
    def update_deal_fields(self, **spec) -> dict:
        """PATCH /deals/{id}: title, amount, responsible, contact, company, custom fields; `version` read."""
        edit = load(DealEditInput(), spec)
        self.db.read(deals.check_scope, edit["deal_id"], True)
        self.db.transaction(deals.edit, edit["deal_id"], edit, _actor(), edit["version"])
        return self.db.read(cards.deal_card, edit["deal_id"])

    @rpc
    def archive_deal(self, **spec) -> dict:
        command = load(ArchiveInput(), spec)
        self.db.read(deals.check_scope, command["id"], True)
        self.db.transaction(records.archive_deal, command["id"], command["archived"], command["version"], _actor())
        return self.db.read(cards.deal_card, command["id"])

    @rpc
    def move_deal(self, **command) -> dict:
        move = load(MoveInput(), command)
        self.db.read(deals.check_scope, move["deal_id"], True)
        self.db.transaction(deals.move_with_fields, move["deal_id"], move["stage"], move["fields"], _actor())
        return self.db.read(cards.deal_card, move["deal_id"])

    @rpc
    def dry_run_move(self, **command) -> dict:
        move = load(MoveInput(), command)
        self.db.read(deals.check_scope, move["deal_id"], True)
        return self.db.transaction(automation.dry_run, move["deal_id"], move["stage"], move["fields"], _actor())

    # -- automation rules -----------------------------------------------------------------

    @rpc
    def save_rule(self, rule_id: int | None = None, **definition) -> dict:
        return self.db.transaction(automation.save_rule, load(RuleInput(), definition), rule_id)

    @rpc
    def set_rule_active(self, rule_id: int, active: bool) -> dict:
        return self.db.transaction(automation.set_active, rule_id, bool(active))

    @rpc
    def list_rules(self) -> list[dict]:
        return self.db.read(automation.list_rules)

    # -- tasks ----------------------------------------------------------------------------

    @rpc
    def create_task(self, **spec) -> dict:
        task = load(TaskInput(), spec)
        self.db.read(deals.check_scope, task["deal_id"], True)
        return self.db.transaction(tasks.create_task, task["deal_id"], task["title"], task["due_at"],
                                   task["assignee_id"], _actor())

    @rpc
    def complete_task(self, task_id: int) -> dict:
        return self.db.transaction(tasks.complete_task, task_id, _actor())

    @rpc
    def edit_task(self, **spec) -> dict:
        edit = load(TaskEditInput(), spec)
        self.db.read(deals.check_task_scope, edit["task_id"])
        return self.db.transaction(records.edit_task, edit["task_id"], edit, edit["version"], _actor())

    @rpc
    def archive_task(self, **spec) -> dict:
        command = load(ArchiveInput(), spec)
        self.db.read(deals.check_task_scope, command["id"])
        return self.db.transaction(records.archive_task, command["id"], command["archived"], command["version"],
                                   _actor())

    @timer(interval=OVERDUE_CHECK_SECONDS)
    def report_overdue_tasks(self):
        self.db.transaction(tasks.overdue_batch)

    @timer(interval=TIMED_RULES_CHECK_SECONDS)
    def fire_timed_rules(self):
        self.run_timed_rules()

    @rpc
    def run_timed_rules(self) -> int:
        """What the timer does, callable by an operator (and tests) to check the clock now."""
        today = datetime.now(ZoneInfo(self.config["COMPANY_TIMEZONE"])).date()
        return self.db.transaction(timed.record_due, today)

    # -- payment schedules and documents -------------------------------------------------

    @rpc
    def create_payment_schedule(self, **spec) -> dict:
        plan = load(ScheduleInput(), spec)
        self.db.read(deals.check_scope, plan["deal_id"], True)
        return self.db.transaction(payments.create_schedule, plan["deal_id"], plan["payments"],
                                   plan["accept_difference"], self.config["COMPANY_TIMEZONE"], _actor())

    @rpc
    def register_payment(self, **spec) -> dict:
        paid = load(PaymentRegistration(), spec)
        return self.db.transaction(payments.register_payment, paid["invoice_id"], paid["amount"], _actor())

    @timer(interval=TIMED_RULES_CHECK_SECONDS)
    def report_overdue_invoices(self):
        self.db.transaction(payments.report_overdue, self.config["COMPANY_TIMEZONE"])

    @rpc
    def add_document(self, **spec) -> dict:
        doc = load(DocumentInput(), spec)
        self.db.read(deals.check_scope, doc["deal_id"], True)
        return self.db.transaction(documents.store, self.config["DOCUMENTS_DIR"], doc["deal_id"], doc["kind"],
                                   doc["filename"], doc["content_type"], doc["content_b64"], _actor())

    @rpc
    def get_document(self, deal_id: int, document_id: int) -> dict:
        self.db.read(deals.check_scope, deal_id)
        return self.db.read(documents.read, self.config["DOCUMENTS_DIR"], deal_id, document_id)

    # -- approvals and comments -----------------------------------------------------------

    @rpc
    def request_approval(self, **spec) -> dict:
        ask = load(ApprovalInput(), spec)
        self.db.read(deals.check_scope, ask["deal_id"], True)
        return self.db.transaction(approvals.request, ask["deal_id"], ask["title"], ask["approver_id"], _actor())

    @rpc
    def decide_approval(self, **spec) -> dict:
        decision = load(DecisionInput(), spec)
        return self.db.transaction(approvals.decide, decision["approval_id"], decision["approved"],
                                   decision["comment"], _actor(), decision["may_override"])

    @rpc
    def add_comment(self, **spec) -> dict:
        note = load(CommentInput(), spec)
        self.db.read(deals.check_scope, note["deal_id"])  # a controller reads and asks questions
        return self.db.transaction(comments.add, note["deal_id"], note["text"], note["mentioned_user_ids"],
                                   note["is_question"], _actor())

    # -- events from scheduling -----------------------------------------------------------

    @on_event("scheduling", "booking.created.v1", BookingMadeReading)
    def note_booking(self, tx, news, envelope):
        deals.booking_news(tx, news, "booking_created")

    @on_event("scheduling", "booking.request_failed.v1", BookingMadeReading)
    def note_failed_booking_request(self, tx, news, envelope):
        deals.booking_news(tx, news, "booking_request_failed")

    @on_event("scheduling", "booking.reschedule_requested.v1", RescheduleRequestReading)
    def ask_to_reschedule(self, tx, request, envelope):
        tasks.crew_asks_to_reschedule(tx, request)

    @on_event("scheduling", "booking.completed.v1", BookingCompletedReading)
    def react_to_booking_result(self, tx, booking, envelope):
        deals.booking_result(tx, booking)

    # -- events from leads ----------------------------------------------------------------

    @on_event("leads", "lead.converted.v1", LeadConvertedReading)
    def open_deal_for_converted_lead(self, tx, lead, envelope):
        deals.open_from_lead(tx, lead)

    @on_event("leads", "ownership.reassigned.v1", OwnershipReading)
    def hand_over_open_deals(self, tx, moved, envelope):
        deals.hand_over(tx, moved["batch_id"], moved["from_user_id"], moved["to_user_id"], moved["by_user_id"])

    @on_event("leads", "ownership.returned.v1", OwnershipReading)
    def hand_back_open_deals(self, tx, back, envelope):
        deals.hand_back(tx, back["batch_id"], back["from_user_id"], back["to_user_id"], back["by_user_id"])

    @on_event("leads", "contact.erased.v1", ContactErasedReading)
    def erase_contact(self, tx, erased, envelope):
        erasure.erase_contact(tx, Erasure.read(erased))
