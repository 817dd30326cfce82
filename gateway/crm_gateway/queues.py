"""Facts about the services' queues for the ops dashboard: messages ready and consumers, from
RabbitMQ's management HTTP API where it runs (which adds message rates), otherwise from the
broker itself (a passive queue declare answers with both counts).

Both give `{queue name: {depth, consumers, publish_per_second, deliver_per_second}}`, or
`{error}` for a queue the broker does not know.
"""
import urllib.parse

import aio_pika
import aiohttp
from aiormq.exceptions import ChannelNotFoundEntity

MISSING = {"error": "no such queue"}


class BrokerQueues:
    """Over AMQP, on one connection of its own; no rates (the broker keeps no totals)."""

    source = "amqp"

    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self.amqp_uri)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def facts(self, names: list[str]) -> dict[str, dict]:
        facts = {}
        channel = await self._connection.channel()
        try:
            for name in names:
                try:
                    declared = (await channel.declare_queue(name, passive=True)).declaration_result
                except ChannelNotFoundEntity:
                    facts[name] = MISSING
                    channel = await self._connection.channel()  # the broker closed that one
                    continue
                facts[name] = {"depth": declared.message_count, "consumers": declared.consumer_count,
                               "publish_per_second": None, "deliver_per_second": None}
        finally:
            await channel.close()
        return facts


class ManagementQueues:
    """Over the management API (`http://user:password@host:15672`), one request for all queues."""

    source = "management"

    def __init__(self, url: str, amqp_uri: str, timeout: float):
        vhost = urllib.parse.unquote(urllib.parse.urlsplit(amqp_uri).path[1:]) or "/"
        self.url = f"{url.rstrip('/')}/api/queues/{urllib.parse.quote(vhost, safe='')}"
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def facts(self, names: list[str]) -> dict[str, dict]:
        async with aiohttp.ClientSession(timeout=self.timeout) as session:
            async with session.get(self.url, params={"columns": "name,messages_ready,consumers,message_stats"},
                                   raise_for_status=True) as response:
                return management_facts(await response.json(), names)


def management_facts(listing: list[dict], names: list[str]) -> dict[str, dict]:
    """The named queues out of the management API's queue listing; rates are RabbitMQ's own,
    over its last statistics interval (5 s by default)."""
    by_name = {queue["name"]: queue for queue in listing}
    facts = {}
    for name in names:
        queue = by_name.get(name)
        if queue is None:
            facts[name] = MISSING
            continue
        stats = queue.get("message_stats") or {}
        facts[name] = {
            "depth": queue.get("messages_ready", 0),
            "consumers": queue.get("consumers", 0),
            "publish_per_second": (stats.get("publish_details") or {}).get("rate", 0.0),
            "deliver_per_second": (stats.get("deliver_get_details") or {}).get("rate", 0.0),
        }
    return facts


QueueSource = BrokerQueues | ManagementQueues
