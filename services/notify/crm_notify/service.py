from crm_chassis.handlers import on_event
from crm_chassis.service import ServiceBase, rpc
from crm_chassis.validation import load
from crm_notify import delivery
from crm_notify.schemas import READINGS, InAppMessage, ListQuery


class NotifyService(ServiceBase):
    name = "notify"

    @on_event("scheduling", "booking.created.v1")
    def tell_crew_of_new_job(self, tx, envelope):
        booking = READINGS[("scheduling", "booking.created.v1")]().load(envelope["data"])
        recipient = f"crew:{booking['crew_id']}"
        delivery.send_in_app(
            tx, recipient, "crew_new_job", booking,
            idempotency_key=f"{envelope['event_id']}:{recipient}:crew_new_job",
            timezone=self.config["COMPANY_TIMEZONE"],
        )

    @rpc
    def send_in_app(self, **message) -> dict:
        msg = load(InAppMessage(), message)
        return self.db.transaction(
            delivery.send_in_app, msg["recipient"], "message", {"text": msg["text"]},
            msg["idempotency_key"], self.config["COMPANY_TIMEZONE"],
        )

    @rpc
    def list_notifications(self, **query) -> list[dict]:
        params = load(ListQuery(), query)
        return self.db.read(delivery.list_for, **params)
