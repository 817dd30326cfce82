import logging

import eventlet
from nameko.rpc import RpcProxy
from nameko.timer import timer

from crm_chassis.erasure import Erasure
from crm_chassis.errors import InvalidInput
from crm_chassis.handlers import on_event
from crm_chassis.service import ServiceBase, rpc
from crm_chassis.validation import load
from crm_notify import bookings, bot_answers, deal_notices, delivery, erasure, handovers, telegram
from crm_notify.channels import Channels
from crm_notify.domain import plans
from crm_notify.domain.messages import SendError
from crm_notify.readings import (
    BookingReading, ContactErasedReading, DealNoticeReading, OwnershipReading, ResponsibleReading,
)
from crm_notify.rendering import Templates
from crm_notify.schemas import (
    Campaign, CampaignQuery, DealQuery, InAppMessage, LinkCodeRequest, ListQuery, MembershipReminder,
    OptOut, OutboundMessage, ProviderStatus, TelegramUpdate, check_address,
)

log = logging.getLogger(__name__)
SENDER_TICK_SECONDS = 0.5
# Sends in flight at once within a tick; each records its result on its own connection, so
# this stays below the database pool (max_workers + 2).
SEND_CONCURRENCY = 8
EXTERNAL = ("sms", "whatsapp", "email", "telegram")


class NotifyService(ServiceBase):
    name = "notify"
    channels = Channels()
    templates = Templates()
    deals = RpcProxy("deals")

    # -- what other services tell us ----------------------------------------------------------

    @on_event("scheduling", "booking.created.v1", BookingReading)
    def tell_of_new_booking(self, tx, booking, envelope):
        self._tell_of_booking(tx, booking, envelope, "created")

    @on_event("scheduling", "booking.rescheduled.v1", BookingReading)
    def tell_of_rescheduled_booking(self, tx, booking, envelope):
        self._tell_of_booking(tx, booking, envelope, "rescheduled")

    @on_event("scheduling", "booking.cancelled.v1", BookingReading)
    def tell_of_cancelled_booking(self, tx, booking, envelope):
        self._tell_of_booking(tx, booking, envelope, "cancelled")

    @on_event("scheduling", "booking.changed.v1", BookingReading)
    def rewrite_booking_reminders(self, tx, booking, envelope):
        self._tell_of_booking(tx, booking, envelope, "changed")

    def _tell_of_booking(self, tx, booking, envelope, change: str):
        bookings.tell(tx, booking, envelope, change, self.channels.timezone, self.channels.quiet)

    @on_event("deals", "deal.notification_requested.v1", DealNoticeReading)
    def tell_staff_of_deal_notice(self, tx, notice, envelope):
        deal_notices.tell(tx, notice, envelope, self.channels.timezone)

    @on_event("deals", "deal.approval_requested.v1", DealNoticeReading)
    def ask_approver(self, tx, notice, envelope):
        deal_notices.tell(tx, notice, envelope, self.channels.timezone)

    @on_event("deals", "deal.task_overdue.v1", DealNoticeReading)
    def tell_of_overdue_task(self, tx, notice, envelope):
        deal_notices.tell(tx, notice, envelope, self.channels.timezone)

    @on_event("leads", "ownership.reassigned.v1", OwnershipReading)
    def tell_of_clients_handed_over(self, tx, moved, envelope):
        handovers.tell_of_clients(tx, moved, envelope, self.channels.timezone)

    @on_event("deals", "deal.responsible_changed.v1", ResponsibleReading)
    def tell_of_deal_handed_over(self, tx, change, envelope):
        handovers.tell_of_deal(tx, change, envelope, self.channels.timezone)

    @on_event("leads", "contact.erased.v1", ContactErasedReading)
    def erase_contact(self, tx, erased, envelope):
        erasure.erase_contact(tx, Erasure.read(erased))

    # -- the sender loop ----------------------------------------------------------------------

    @timer(interval=SENDER_TICK_SECONDS)
    def send_due(self):
        """Claim due messages (per channel, as many as its rate allows in a tick), send each
        through its provider within the rate limit, and record what the provider said."""
        self.db.transaction(delivery.fail_stale_sends)
        batches = {channel: self.channels.limits.batch(channel, SENDER_TICK_SECONDS) for channel in EXTERNAL}
        pool = eventlet.GreenPool(SEND_CONCURRENCY)
        for message in self.db.transaction(delivery.claim_due, batches):
            eventlet.sleep(self.channels.limits.wait(message["channel"]))
            pool.spawn_n(self._send_one, message)
        pool.waitall()

    def _send_one(self, message: dict) -> None:
        try:
            status, provider_id = self.channels.send(message)
        except SendError as error:
            self.db.transaction(delivery.record_error, message, error, self.channels.timezone,
                                self.channels.quiet)
        except Exception:  # a bug, not the provider: leave the claim to end failed as stale, not resent
            log.exception("sending message %s failed unexpectedly", message["id"])
        else:
            self.db.transaction(delivery.record_sent, message["id"], status, provider_id)

    # -- commands and queries -----------------------------------------------------------------

    @rpc
    def send_in_app(self, **message) -> dict:
        msg = load(InAppMessage(), message)
        return self.db.transaction(
            delivery.enqueue, channel="in_app", recipient=msg["recipient"], template="message",
            data={"text": msg["text"]}, cause=f"request:{msg['idempotency_key']}", timezone=self.channels.timezone,
        )

    @rpc
    def send_message(self, **message) -> dict:
        msg = load(OutboundMessage(), message)
        _check_address(msg["channel"], msg["to"], "to")
        return self.db.transaction(
            delivery.enqueue, channel=msg["channel"], recipient=msg["to"], template="message",
            data={"text": msg["text"]}, cause=f"request:{msg['idempotency_key']}", subject=msg["subject"],
            deal_id=msg["deal_id"], due=msg["send_at"], timezone=self.channels.timezone, quiet=self.channels.quiet,
        )

    @rpc
    def remind_membership_ending(self, **reminder) -> dict:
        msg = load(MembershipReminder(), reminder)
        _check_address(msg["channel"], msg["to"], "to")
        ends_on = msg["ends_on"]
        due = plans.membership_reminder_due(ends_on, msg["days_before"], self.channels.timezone)
        data = {"client_name": msg["client_name"], "ends_on": ends_on.strftime("%d.%m.%Y"),
                "days_left": msg["days_before"]}
        return self.db.transaction(
            delivery.enqueue, channel=msg["channel"], recipient=msg["to"], template="membership_ending",
            data=data, cause=f"membership:{msg['deal_id'] or msg['to']}:{ends_on.isoformat()}:{msg['days_before']}",
            subject="Абонемент заканчивается", deal_id=msg["deal_id"], due=due,
            timezone=self.channels.timezone, quiet=self.channels.quiet,
        )

    @rpc
    def record_provider_status(self, **report) -> dict:
        msg = load(ProviderStatus(), report)
        return self.db.transaction(delivery.record_status, msg["provider_id"], msg["status"], msg["error_code"])

    @rpc
    def opt_out(self, **request) -> dict:
        msg = load(OptOut(), request)
        _check_address(msg["channel"], msg["address"], "address")
        return self.db.transaction(delivery.opt_out, msg["channel"], msg["address"])

    @rpc
    def create_campaign(self, **request) -> dict:
        msg = load(Campaign(), request)
        problems = {str(i): {"address": [problem]} for i, recipient in enumerate(msg["recipients"])
                    if (problem := check_address(msg["channel"], recipient["address"]))}
        if problems:
            raise InvalidInput("invalid recipients", {"recipients": problems})
        campaign_id = self.db.transaction(
            delivery.create_campaign, timezone=self.channels.timezone, quiet=self.channels.quiet, **msg)
        return self.db.read(delivery.campaign_report, campaign_id)

    @rpc
    def get_campaign(self, **query) -> dict:
        return self.db.read(delivery.campaign_report, load(CampaignQuery(), query)["campaign_id"])

    @rpc
    def telegram_link_code(self, **request) -> dict:
        link = load(LinkCodeRequest(), request)
        return self.db.transaction(telegram.issue_code, link["user_id"], link["sees_all"])

    @rpc
    def telegram_update(self, **update) -> dict:
        msg = load(TelegramUpdate(), update)
        chat_id, timezone = str(msg["chat_id"]), self.channels.timezone
        outcome = self.db.transaction(telegram.handle_update, msg["update_id"], chat_id, msg["text"], timezone)
        if "query" not in outcome:
            return outcome
        text = bot_answers.answer(self.deals, outcome["query"], outcome["user_id"], outcome["sees_all"], timezone)
        self.db.transaction(telegram.reply, msg["update_id"], chat_id, text, timezone)
        return {"linked": True, "replied": True}

    @rpc
    def list_notifications(self, **query) -> list[dict]:
        params = load(ListQuery(), query)
        return self.db.read(delivery.list_for, **params)

    @rpc
    def list_deal_messages(self, **query) -> list[dict]:
        params = load(DealQuery(), query)
        return self.db.read(delivery.list_for_deal, params["deal_id"])


def _check_address(channel: str, address: str, field: str) -> None:
    problem = check_address(channel, address)
    if problem:
        raise InvalidInput("invalid input", {field: [problem]})
