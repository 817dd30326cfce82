from crm_chassis.service import ServiceBase, rpc
from crm_chassis.validation import load
from crm_deals import pipelines
from crm_deals.schemas import DealInput, MoveInput, PipelineInput


class DealsService(ServiceBase):
    name = "deals"

    @rpc
    def create_pipeline(self, **spec) -> dict:
        return self.db.transaction(pipelines.create_pipeline, load(PipelineInput(), spec))

    @rpc
    def list_pipelines(self) -> list[dict]:
        return self.db.read(pipelines.list_pipelines)

    @rpc
    def create_deal(self, **spec) -> dict:
        return self.db.transaction(pipelines.create_deal, load(DealInput(), spec))

    @rpc
    def get_deal(self, deal_id: int) -> dict:
        return self.db.read(pipelines.get_deal, deal_id)

    @rpc
    def move_deal(self, **command) -> dict:
        move = load(MoveInput(), command)
        return self.db.transaction(pipelines.move_deal, move["deal_id"], move["stage"])
