"""A native asyncio client for nameko's AMQP RPC (see docs/nameko-wire.md).

One connection, one confirming channel and one reply queue per gateway process; calls are
matched to replies by correlation id, so any number can be in flight. Calls are keyword-only.
"""
import asyncio
import json
import logging
import uuid
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from aiormq.exceptions import AMQPError, ChannelInvalidStateError, DeliveryError

from crm_gateway.rpc.wire import decode_body

log = logging.getLogger(__name__)

RPC_EXCHANGE = "nameko-rpc"
REPLY_QUEUE_EXPIRY_MS = 300_000


class ServiceUnavailable(Exception):
    def __init__(self, service: str, reason: str):
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason


class RemoteError(Exception):
    """An error raised inside a service, as nameko serialized it."""

    def __init__(self, exc_type: str, exc_path: str, exc_args: list, value: str):
        super().__init__(f"{exc_type}: {value}")
        self.exc_type = exc_type
        self.exc_path = exc_path
        self.exc_args = exc_args
        self.value = value


class NamekoRpcClient:
    def __init__(self, amqp_uri: str, timeout: float):
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self.reply_key = str(uuid.uuid4())
        self._pending: dict[str, asyncio.Future] = {}
        self._connection = None

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self.amqp_uri)
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        self._exchange = await channel.declare_exchange(RPC_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(
            f"rpc.reply-gateway-{self.reply_key}", durable=True,
            arguments={"x-expires": REPLY_QUEUE_EXPIRY_MS},
        )
        await queue.bind(self._exchange, routing_key=self.reply_key)
        await queue.consume(self._on_reply)

    async def close(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ServiceUnavailable("gateway", "shutting down"))
        if self._connection is not None:
            await self._connection.close()

    async def _on_reply(self, message: AbstractIncomingMessage) -> None:
        async with message.process():
            future = self._pending.get(message.correlation_id)
            if future is None or future.done():
                log.warning("reply with unknown correlation id %s", message.correlation_id)
                return
            body = decode_body(message.body)
            error = body.get("error")
            if error:
                future.set_exception(RemoteError(
                    error.get("exc_type", ""), error.get("exc_path", ""),
                    error.get("exc_args") or [], error.get("value", ""),
                ))
            else:
                future.set_result(body.get("result"))

    async def call(self, service: str, method: str, /, *, context: dict | None = None,
                   timeout: float | None = None, **kwargs) -> Any:
        correlation_id = str(uuid.uuid4())
        headers = {f"nameko.{key}": value for key, value in (context or {}).items() if value is not None}
        headers["nameko.call_id_stack"] = [f"gateway.{service}.{method}.{correlation_id}"]
        message = aio_pika.Message(
            json.dumps({"args": [], "kwargs": kwargs}).encode(),
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            reply_to=self.reply_key,
            correlation_id=correlation_id,
            headers=headers,
            # A request nobody took in time is dropped, not run later behind the caller's back.
            expiration=timeout,
        )
        timeout = timeout or self.timeout
        future = asyncio.get_running_loop().create_future()
        self._pending[correlation_id] = future
        try:
            try:
                await self._exchange.publish(message, routing_key=f"{service}.{method}", mandatory=True)
            except DeliveryError:
                raise ServiceUnavailable(service, "no such service is running") from None
            except (AMQPError, ChannelInvalidStateError, ConnectionError) as exc:
                raise ServiceUnavailable(service, f"broker unavailable: {exc}") from None
            try:
                return await asyncio.wait_for(future, timeout)
            except asyncio.TimeoutError:
                raise ServiceUnavailable(service, "timed out") from None
        finally:
            self._pending.pop(correlation_id, None)
