from nameko.timer import timer

from crm_chassis import context
from crm_chassis.handlers import on_event
from crm_chassis.service import ServiceBase, rpc
from crm_chassis.validation import load
from crm_deals import automation, deals, pipelines, tasks
from crm_deals.deals import Actor
from crm_deals.schemas import (
    READINGS, DealInput, DealQuery, FieldInput, FieldsInput, MoveInput, PipelineInput, RequiredFieldsInput,
    RuleInput, TaskInput,
)

OVERDUE_CHECK_SECONDS = 5


def _actor() -> Actor:
    return Actor(user_id=context.current_user_id())


class DealsService(ServiceBase):
    name = "deals"

    # -- pipelines ------------------------------------------------------------------------

    @rpc
    def create_pipeline(self, **spec) -> dict:
        return self.db.transaction(pipelines.create_pipeline, load(PipelineInput(), spec))

    @rpc
    def add_pipeline_field(self, pipeline: str, **spec) -> dict:
        return self.db.transaction(pipelines.add_field, pipeline, load(FieldInput(), spec))

    @rpc
    def set_required_fields(self, **spec) -> dict:
        gate = load(RequiredFieldsInput(), spec)
        return self.db.transaction(pipelines.set_required_fields, gate["pipeline"], gate["stage"],
                                   gate["required_fields"])

    @rpc
    def list_pipelines(self) -> list[dict]:
        return self.db.read(pipelines.list_pipelines)

    # -- deals ----------------------------------------------------------------------------

    @rpc
    def create_deal(self, **spec) -> dict:
        deal_id = self.db.transaction(automation.perform, deals.create_deal, load(DealInput(), spec), _actor())
        return self.db.read(deals.get_deal, deal_id)

    @rpc
    def get_deal(self, deal_id: int) -> dict:
        return self.db.read(deals.get_deal, deal_id)

    @rpc
    def list_deals(self, **query) -> dict:
        return self.db.read(deals.list_deals, **load(DealQuery(), query))

    @rpc
    def update_deal_fields(self, **spec) -> dict:
        change = load(FieldsInput(), spec)
        self.db.transaction(automation.perform, deals.update_fields, change["deal_id"], change["fields"],
                            _actor())
        return self.db.read(deals.get_deal, change["deal_id"])

    @rpc
    def move_deal(self, **command) -> dict:
        move = load(MoveInput(), command)

        def move_with_fields(tx):
            if move["fields"]:
                automation.run(tx, deals.update_fields(tx, move["deal_id"], move["fields"], _actor()))
            automation.perform(tx, deals.move, move["deal_id"], move["stage"], _actor())

        self.db.transaction(move_with_fields)
        return self.db.read(deals.get_deal, move["deal_id"])

    @rpc
    def dry_run_move(self, **command) -> dict:
        move = load(MoveInput(), command)
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
        return self.db.transaction(automation.perform, tasks.create_task, task["deal_id"], task["title"],
                                   task["due_at"], task["assignee_id"], _actor())

    @rpc
    def complete_task(self, task_id: int) -> dict:
        return self.db.transaction(automation.perform, tasks.complete_task, task_id, _actor())

    @timer(interval=OVERDUE_CHECK_SECONDS)
    def report_overdue_tasks(self):
        self.db.transaction(lambda tx: automation.run(tx, tasks.overdue_batch(tx)))

    # -- events from leads ----------------------------------------------------------------

    @on_event("leads", "lead.converted.v1")
    def open_deal_for_converted_lead(self, tx, envelope):
        lead = READINGS[("leads", "lead.converted.v1")]().load(envelope["data"])
        automation.run(tx, deals.open_from_lead(tx, lead))

    @on_event("leads", "ownership.reassigned.v1")
    def hand_over_open_deals(self, tx, envelope):
        moved = READINGS[("leads", "ownership.reassigned.v1")]().load(envelope["data"])
        deals.hand_over(tx, moved["batch_id"], moved["from_user_id"], moved["to_user_id"])

    @on_event("leads", "ownership.returned.v1")
    def hand_back_open_deals(self, tx, envelope):
        back = READINGS[("leads", "ownership.returned.v1")]().load(envelope["data"])
        deals.hand_back(tx, back["batch_id"], back["from_user_id"], back["to_user_id"])
