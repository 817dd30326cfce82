"""Outbound messages that happen once: the idempotency key finds an earlier send."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis.db import Transaction
from crm_notify.rendering import render
from crm_notify.schemas import NotificationOutput
from crm_notify.tables import notifications


def send_in_app(tx: Transaction, recipient: str, template: str, data: dict, idempotency_key: str,
                timezone: str) -> dict:
    """In-app messages are delivered by being stored: the gateway shows them to the user."""
    body = render(template, "in_app", data, timezone)
    tx.session.execute(
        pg_insert(notifications)
        .values(idempotency_key=idempotency_key, channel="in_app", recipient=recipient,
                template=template, body=body, status="delivered")
        .on_conflict_do_nothing(index_elements=[notifications.c.idempotency_key])
    )
    row = tx.session.execute(
        sa.select(notifications).where(notifications.c.idempotency_key == idempotency_key)
    ).mappings().one()
    return NotificationOutput().dump(row)


def list_for(session, recipient: str, limit: int) -> list[dict]:
    rows = session.execute(
        sa.select(notifications).where(notifications.c.recipient == recipient)
        .order_by(notifications.c.id.desc()).limit(limit)
    ).mappings()
    return NotificationOutput(many=True).dump(rows)
