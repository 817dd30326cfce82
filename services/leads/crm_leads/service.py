from crm_chassis.service import ServiceBase, rpc
from crm_chassis.validation import load
from crm_leads import intake
from crm_leads.schemas import LeadListSchema, WebFormSchema


class LeadsService(ServiceBase):
    name = "leads"

    @rpc
    def intake_web_form(self, form: dict) -> dict:
        data = load(WebFormSchema(), form)
        return self.db.transaction(intake.intake_web_form, data, self.config["DEFAULT_PHONE_REGION"])

    @rpc
    def get_lead(self, lead_id: int) -> dict:
        return self.db.read(intake.get_lead, lead_id)

    @rpc
    def list_leads(self, **filters) -> dict:
        query = load(LeadListSchema(), filters)
        return self.db.read(intake.list_leads, **query)
