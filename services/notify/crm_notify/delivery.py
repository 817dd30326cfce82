"""Outbound messages that happen once: stored under an idempotency key, then sent by the
sender loop, their status moved only forward. Orchestration: load, decide (domain), save."""
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis.db import Transaction
from crm_chassis.errors import NotFound
from crm_notify.domain import messages as states
from crm_notify.domain.quiet_hours import QuietHours, send_time
from crm_notify.events import CampaignCreatedV1, MessageStatusChangedV1, NotificationCreatedV1, OptOutRecordedV1
from crm_notify.rendering import render
from crm_notify.schemas import NotificationOutput
from crm_notify.tables import campaigns, notifications, opt_outs

# A message claimed this long ago and never recorded: the sender died mid-send. Sending it
# again could send it twice, so it ends failed for a person to look at.
STALE_SENDING = timedelta(minutes=5)
FALLBACK_CHANNEL = {"whatsapp": "sms"}


def enqueue(tx: Transaction, *, channel: str, recipient: str, template: str, data: dict, cause: str,
            timezone: str, quiet: QuietHours | None = None, due: datetime | None = None,
            subject: str | None = None, deal_id: int | None = None, reference: str | None = None,
            campaign_id: int | None = None) -> dict:
    """Store a message once per (cause, channel, recipient, template); return it as stored."""
    key = states.idempotency_key(cause, channel, recipient, template)
    return store(tx, key=key, channel=channel, recipient=recipient, template=template,
                   body=render(template, channel, data, timezone), subject=subject, deal_id=deal_id,
                   reference=reference, campaign_id=campaign_id, timezone=timezone, quiet=quiet, due=due)


def store(tx: Transaction, *, key: str, channel: str, recipient: str, timezone: str,
            quiet: QuietHours | None, due: datetime | None, **values) -> dict:
    opted_out = channel != "in_app" and bool(_opted_out(tx.session, channel, [recipient]))
    status, send_at = _initial(channel, opted_out, due, quiet, timezone)
    inserted = tx.session.execute(
        pg_insert(notifications)
        .values(idempotency_key=key, channel=channel, recipient=recipient, status=status, send_at=send_at,
                **values)
        .on_conflict_do_nothing(index_elements=[notifications.c.idempotency_key])
        .returning(notifications.c.id)
    ).first()
    row = tx.session.execute(
        sa.select(notifications).where(notifications.c.idempotency_key == key)
    ).mappings().one()
    if inserted and channel == "in_app":
        tx.emit("notification.created.v1", NotificationCreatedV1().dump(row))
    return NotificationOutput().dump(row)


def _initial(channel: str, opted_out: bool, due: datetime | None, quiet: QuietHours | None,
             timezone: str) -> tuple[str, datetime]:
    """(status, send_at) of a new message: in-app is delivered by being stored; the others wait
    for the sender, outside quiet hours, unless the recipient opted out of the channel."""
    now = datetime.now(UTC)
    if channel == "in_app":
        return states.DELIVERED, now
    return (states.OPTED_OUT if opted_out else states.PENDING), send_time(due or now, quiet, timezone)


def _opted_out(session, channel: str, addresses: list[str]) -> set[str]:
    """Which addresses opted out of the channel, as written or as an erasure kept them (hashed)."""
    by_key = {key: address for address in addresses for key in (address, states.erased_opt_out(address))}
    return {by_key[key] for key in session.execute(sa.select(opt_outs.c.address).where(
        opt_outs.c.channel == channel, opt_outs.c.address.in_(by_key))).scalars()}


def cancel_reminders(tx: Transaction, reference: str, template: str) -> int:
    return tx.session.execute(
        sa.update(notifications)
        .where(notifications.c.reference == reference, notifications.c.template == template,
               notifications.c.status == states.PENDING)
        .values(status=states.CANCELLED, updated_at=sa.func.now())
    ).rowcount


# -- the sender loop -------------------------------------------------------------------------

def claim_due(tx: Transaction, batches: dict[str, int]) -> list[dict]:
    """Take up to `batches[channel]` due messages per channel for this sender (others skip them)."""
    claimed = []
    for channel, limit in batches.items():
        due = (sa.select(notifications.c.id)
               .where(notifications.c.status == states.PENDING, notifications.c.channel == channel,
                      notifications.c.send_at <= sa.func.now())
               .order_by(notifications.c.send_at).limit(limit)
               .with_for_update(skip_locked=True))
        claimed += tx.session.execute(
            sa.update(notifications).where(notifications.c.id.in_(due.scalar_subquery()))
            .values(status=states.SENDING, attempts=notifications.c.attempts + 1, updated_at=sa.func.now())
            .returning(*notifications.c)
        ).mappings().all()
    return [dict(row) for row in sorted(claimed, key=lambda row: row["send_at"])]


def fail_stale_sends(tx: Transaction) -> int:
    return tx.session.execute(
        sa.update(notifications)
        .where(notifications.c.status == states.SENDING,
               notifications.c.updated_at < sa.func.now() - STALE_SENDING)
        .values(status=states.FAILED, error="the sender stopped mid-send; not retried to avoid a duplicate",
                updated_at=sa.func.now())
    ).rowcount


def _announce(tx: Transaction, row) -> None:
    tx.emit("message.status_changed.v1", MessageStatusChangedV1().dump({
        "message_id": row["id"], "channel": row["channel"], "status": row["status"], "deal_id": row["deal_id"],
        "campaign_id": row["campaign_id"], "changed_at": row["updated_at"]}))


def record_sent(tx: Transaction, message_id: int, provider_status: str, provider_id: str | None) -> None:
    new = states.PROVIDER_STATUSES.get(provider_status, states.QUEUED)
    row = tx.session.execute(
        sa.update(notifications)
        .where(notifications.c.id == message_id, notifications.c.status == states.SENDING)
        .values(status=new, provider_id=provider_id, error=None, updated_at=sa.func.now())
        .returning(*notifications.c)
    ).mappings().first()
    if row is not None:
        _announce(tx, row)


def record_error(tx: Transaction, message: dict, error: states.SendError, timezone: str,
                 quiet: QuietHours | None) -> str:
    """A failed attempt: back to pending for a later retry (outside quiet hours), or failed."""
    status, retry_in = states.after_error(error, message["attempts"])
    values = dict(status=status, error=error.reason, updated_at=sa.func.now())
    if retry_in is not None:
        values["send_at"] = send_time(datetime.now(UTC) + timedelta(seconds=retry_in), quiet, timezone)
    row = tx.session.execute(sa.update(notifications).where(notifications.c.id == message["id"]).values(**values)
                             .returning(*notifications.c)).mappings().one()
    if status == states.FAILED:
        _announce(tx, row)
        _fall_back(tx, message)
    return status


def _fall_back(tx: Transaction, message: dict) -> None:
    """A WhatsApp message that cannot be delivered goes out once more as an SMS."""
    channel = FALLBACK_CHANNEL.get(message["channel"])
    if channel is None:
        return
    tx.session.execute(
        pg_insert(notifications)
        .values(idempotency_key=f"{message['idempotency_key']}|fallback:{channel}", channel=channel,
                recipient=message["recipient"], template=message["template"], body=message["body"],
                subject=message["subject"], deal_id=message["deal_id"], reference=message["reference"],
                campaign_id=message["campaign_id"], status=states.PENDING)
        .on_conflict_do_nothing(index_elements=[notifications.c.idempotency_key])
    )


def record_status(tx: Transaction, provider_id: str, provider_status: str, error_code: str | None) -> dict:
    """A provider's status callback: moves the message forward only; repeats change nothing."""
    row = tx.session.execute(
        sa.select(notifications).where(notifications.c.provider_id == provider_id).with_for_update()
    ).mappings().one_or_none()
    if row is None:
        raise NotFound(f"no message with provider id {provider_id}")
    new = states.after_callback(row["status"], provider_status)
    if new is not None:
        values = dict(status=new, updated_at=sa.func.now())
        if error_code:
            values["error"] = f"provider error {error_code}"
        row = tx.session.execute(
            sa.update(notifications).where(notifications.c.id == row["id"]).values(**values)
            .returning(*notifications.c)
        ).mappings().one()
        _announce(tx, row)
        if new in (states.FAILED, states.UNDELIVERED):
            _fall_back(tx, dict(row))
    return NotificationOutput().dump(row)


# -- opt-outs and campaigns ------------------------------------------------------------------

def opt_out(tx: Transaction, channel: str, address: str) -> dict:
    recorded = tx.session.execute(pg_insert(opt_outs).values(channel=channel, address=address)
                                  .on_conflict_do_nothing().returning(opt_outs.c.address)).first()
    withdrawn = tx.session.execute(
        sa.update(notifications)
        .where(notifications.c.channel == channel, notifications.c.recipient == address,
               notifications.c.status == states.PENDING)
        .values(status=states.OPTED_OUT, updated_at=sa.func.now())
    ).rowcount
    if recorded:
        tx.emit("opt_out.recorded.v1", OptOutRecordedV1().dump(
            {"channel": channel, "address": address, "withdrawn": withdrawn}))
    return {"channel": channel, "address": address, "withdrawn": withdrawn}


def create_campaign(tx: Transaction, *, name: str, channel: str, text: str, recipients: list[dict],
                    idempotency_key: str, created_by: str | None, timezone: str,
                    quiet: QuietHours | None) -> int:
    """The campaign and one message per distinct recipient; the sender loop sends them in
    batches within the channel's rate limit. A repeated request finds the first campaign."""
    campaign_id = tx.session.execute(
        pg_insert(campaigns)
        .values(idempotency_key=idempotency_key, name=name, channel=channel, text=text, created_by=created_by)
        .on_conflict_do_nothing(index_elements=[campaigns.c.idempotency_key])
        .returning(campaigns.c.id)
    ).scalar_one_or_none()
    if campaign_id is None:
        return tx.session.execute(
            sa.select(campaigns.c.id).where(campaigns.c.idempotency_key == idempotency_key)).scalar_one()
    addresses = list(dict.fromkeys(recipient["address"] for recipient in recipients))
    body = render("message", channel, {"text": text}, timezone)
    opted_out = _opted_out(tx.session, channel, addresses)
    rows = []
    for address in addresses:
        status, send_at = _initial(channel, address in opted_out, None, quiet, timezone)
        rows.append(dict(idempotency_key=states.idempotency_key(f"campaign:{campaign_id}", channel, address, "message"),
                         channel=channel, recipient=address, template="message", body=body, status=status,
                         send_at=send_at, campaign_id=campaign_id))
    tx.session.execute(
        pg_insert(notifications).on_conflict_do_nothing(index_elements=[notifications.c.idempotency_key]), rows)
    tx.emit("campaign.created.v1", CampaignCreatedV1().dump(
        {"campaign_id": campaign_id, "name": name, "channel": channel, "text": text, "recipients": len(addresses)}))
    return campaign_id


def campaign_report(session, campaign_id: int) -> dict:
    campaign = session.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id)).mappings().one_or_none()
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id}")
    rows = session.execute(
        sa.select(notifications).where(notifications.c.campaign_id == campaign_id).order_by(notifications.c.id)
    ).mappings().all()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return {"id": campaign["id"], "name": campaign["name"], "channel": campaign["channel"],
            "text": campaign["text"], "created_by": campaign["created_by"],
            "created_at": campaign["created_at"].isoformat(), "counts": counts,
            "recipients": [{"address": row["recipient"], "status": row["status"], "error": row["error"],
                            "message_id": row["id"]} for row in rows]}


# -- queries ---------------------------------------------------------------------------------

def list_for(session, recipient: str, limit: int) -> list[dict]:
    rows = session.execute(
        sa.select(notifications).where(notifications.c.recipient == recipient)
        .order_by(notifications.c.id.desc()).limit(limit)
    ).mappings()
    return NotificationOutput(many=True).dump(rows)


def list_for_deal(session, deal_id: int) -> list[dict]:
    rows = session.execute(
        sa.select(notifications).where(notifications.c.deal_id == deal_id).order_by(notifications.c.id)
    ).mappings()
    return NotificationOutput(many=True).dump(rows)
