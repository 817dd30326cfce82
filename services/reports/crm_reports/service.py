from crm_chassis.handlers import on_event
from crm_chassis.service import ServiceBase, rpc
from crm_chassis.validation import load
from crm_reports import projections
from crm_reports.schemas import LeadsPerDayQuery


class ReportsService(ServiceBase):
    name = "reports"

    @on_event("leads", "lead.created.v1")
    def count_lead(self, tx, envelope):
        projections.record_and_apply(tx, envelope, self.config["COMPANY_TIMEZONE"])

    @rpc
    def leads_per_day(self, **query) -> dict:
        params = load(LeadsPerDayQuery(), query)
        return self.db.read(projections.leads_per_day, **params)

    @rpc
    def rebuild(self) -> dict:
        return self.db.transaction(projections.rebuild, self.config["COMPANY_TIMEZONE"])
