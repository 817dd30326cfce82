"""The outbox relay: publishes committed events with publisher confirms, then marks them sent.

Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several replicas of a service share the
work. A crash between publish and commit republishes the row later: consumers deduplicate
by event id (see `inbox`). Nothing committed is lost, whatever dies in between. An event's
transient data (an erasure's identifiers) is removed from its row in the same commit that marks
it sent.
"""
import logging

import sqlalchemy as sa
from kombu import Exchange
from nameko.amqp.publish import Publisher
from nameko.constants import PERSISTENT

from crm_chassis import metrics
from crm_chassis.events import TRANSIENT, exchange_name, without_transient
from crm_chassis.tables import outbox

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, engine: sa.Engine, service_name: str, amqp_uri: str, batch_size: int = 200):
        self.engine = engine
        self.batch_size = batch_size
        self.exchange = Exchange(exchange_name(service_name), type="topic", durable=True)
        self.publisher = Publisher(
            amqp_uri, use_confirms=True, serializer="json", delivery_mode=PERSISTENT,
            declare=[self.exchange],
        )

    def publish_pending(self) -> int:
        """Publish one batch of unpublished events in commit order; return how many."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                sa.select(outbox.c.id, outbox.c.event_type, outbox.c.envelope)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                self.publisher.publish(
                    row.envelope,
                    exchange=self.exchange,
                    routing_key=row.event_type,
                    headers={"nameko.correlation_id": row.envelope.get("correlation_id")},
                )
            if rows:
                conn.execute(
                    sa.update(outbox)
                    .where(outbox.c.id.in_([row.id for row in rows]))
                    .values(published_at=sa.func.now())
                )
            for row in rows:
                if row.envelope.get(TRANSIENT):
                    conn.execute(sa.update(outbox).where(outbox.c.id == row.id)
                                 .values(envelope=without_transient(row.envelope)))
        metrics.EVENTS_PUBLISHED.inc(len(rows))
        return len(rows)

    def publish_all(self) -> int:
        total = 0
        while (published := self.publish_pending()) > 0:
            total += published
            if published < self.batch_size:
                break
        return total

    def backlog(self) -> int:
        with self.engine.connect() as conn:
            count = conn.execute(
                sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            ).scalar_one()
        metrics.OUTBOX_BACKLOG.set(count)
        return count
