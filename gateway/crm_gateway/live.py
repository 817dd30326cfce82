"""Live updates on open connections of this gateway process: notify's in-app notifications
(`notification.created.v1`) to their recipient, and every incoming call, message, e-mail or form
that leads logged (`communication.recorded.v1`, direction `in`) to the users who take calls and may
see its contact (the event names the contact's responsible; the viewer's `read_ids` decide).

Each gateway process binds its own exclusive, auto-deleted queue to `notify.events` and
`leads.events`, so every replica sees every event and pushes it to the connections it holds.
Live delivery is best effort (a user who is not connected, or too slow, reads
`GET /notifications` or `GET /communications`).
"""
import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

log = logging.getLogger(__name__)
NOTIFICATION = "notification.created.v1"
COMMUNICATION = "communication.recorded.v1"
# exchange (crm_chassis.events.exchange_name(service)) -> the event types read from it
SOURCES = {"notify.events": (NOTIFICATION,), "leads.events": (COMMUNICATION,)}
CALL_TAKERS = ("operator", "manager", "head_of_sales", "admin")
BACKLOG = 100  # per connection; beyond it the slow connection misses live items


class Item(NamedTuple):
    """One server-sent event: its name, id and JSON data."""

    event: str
    id: int
    data: dict


class LiveUpdates:
    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.by_recipient: dict[str, set[asyncio.Queue]] = defaultdict(set)
        self.call_takers: dict[asyncio.Queue, frozenset[int] | None] = {}  # -> the responsible ids it may see
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self.amqp_uri)
        channel = await self._connection.channel()
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        for name, event_types in SOURCES.items():
            exchange = await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)
            for event_type in event_types:
                await queue.bind(exchange, routing_key=event_type)
        await queue.consume(self._deliver, no_ack=True)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def _deliver(self, message: AbstractIncomingMessage) -> None:
        try:
            data = json.loads(message.body)["data"]
            item, queues = self._route(message.routing_key, data)
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable %s event ignored", message.routing_key)
            return
        for queue in list(queues):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(item)

    def _route(self, event_type: str | None, data: dict) -> tuple[Item | None, set[asyncio.Queue]]:
        """The item an event becomes and the connections it goes to (none: it is not for live)."""
        if event_type == NOTIFICATION:
            return Item("notification", data["id"], data), self.by_recipient.get(data["recipient"], set())
        if event_type == COMMUNICATION and data["direction"] == "in":
            responsible_id = data.get("responsible_id")
            return Item("communication", data["communication_id"], data), {
                queue for queue, seen in self.call_takers.items() if seen is None or responsible_id in seen}
        return None, set()

    @contextlib.contextmanager
    def subscribe(self, user_id: int, role: str, read_ids: list[int] | None) -> Iterator[asyncio.Queue]:
        """A connection of this user: their notifications, and incoming communications if they take calls
        (those whose contact's responsible is among `read_ids`; None: all)."""
        recipient = f"user:{user_id}"
        queue: asyncio.Queue = asyncio.Queue(maxsize=BACKLOG)
        self.by_recipient[recipient].add(queue)
        if role in CALL_TAKERS:
            self.call_takers[queue] = None if read_ids is None else frozenset(read_ids)
        try:
            yield queue
        finally:
            self.call_takers.pop(queue, None)
            self.by_recipient[recipient].discard(queue)
            if not self.by_recipient[recipient]:
                del self.by_recipient[recipient]
