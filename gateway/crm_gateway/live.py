"""Live in-app notifications: notify's `notification.created.v1` events, fanned out to the
recipients' open connections on this gateway process.

Each gateway process binds its own exclusive, auto-deleted queue to `notify.events`, so every
replica sees every notification and pushes it to the connections it holds. Live delivery is
best effort (a recipient who is not connected, or too slow, reads `GET /notifications`).
"""
import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterator

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

log = logging.getLogger(__name__)
NOTIFY_EXCHANGE = "notify.events"  # crm_chassis.events.exchange_name("notify")
CREATED = "notification.created.v1"
BACKLOG = 100  # per connection; beyond it the slow connection misses live items


class LiveNotifications:
    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.subscribers: dict[str, set[asyncio.Queue]] = defaultdict(set)
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self.amqp_uri)
        channel = await self._connection.channel()
        exchange = await channel.declare_exchange(NOTIFY_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key=CREATED)
        await queue.consume(self._deliver, no_ack=True)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def _deliver(self, message: AbstractIncomingMessage) -> None:
        try:
            data = json.loads(message.body)["data"]
            recipient = data["recipient"]
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable %s event ignored", CREATED)
            return
        for queue in list(self.subscribers.get(recipient, ())):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(data)

    @contextlib.contextmanager
    def subscribe(self, recipient: str) -> Iterator[asyncio.Queue]:
        queue: asyncio.Queue = asyncio.Queue(maxsize=BACKLOG)
        self.subscribers[recipient].add(queue)
        try:
            yield queue
        finally:
            self.subscribers[recipient].discard(queue)
            if not self.subscribers[recipient]:
                del self.subscribers[recipient]
