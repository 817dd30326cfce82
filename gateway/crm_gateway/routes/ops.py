"""The operator's dashboard: every service's health, queues and message rates at a glance."""
import asyncio
import importlib.metadata
import logging
from datetime import UTC, datetime

import aiohttp
from aiohttp import web
from aiormq.exceptions import AMQPError, ChannelInvalidStateError

from crm_gateway.api import ADMIN, Routes, json_response
from crm_gateway.context import KNOWN_QUEUES, QUEUES, RATES, SETTINGS
from crm_gateway.rates import MAX_WINDOW_SECONDS, CounterRates
from crm_gateway.routes.system import HEALTH_TIMEOUT_SECONDS, service_health

log = logging.getLogger(__name__)
routes = Routes("ops")
RATES_BASIS = {
    "services": "events published by the outbox relay and events handled (any outcome) per second by the "
                "process that answered, between this call and the previous one it answered (window_seconds, "
                f"at most {MAX_WINDOW_SECONDS:.0f} s); null on the first look at a process",
    "queues": "RabbitMQ's publish and deliver rates over its statistics interval (5 s by default); "
              "null without the management API",
}
RESPONSE = """`{checked_at, gateway: {status, version}, broker: {source: "amqp" | "management", status: "ok" |
"down", error?}, rates: {services, queues}, services: [{service, status: "ok" | "down", error, version,
outbox_backlog, parked_events, process: {host, pid, started_at}, rates: {events_published_per_second,
events_handled_per_second, window_seconds} | null, queues: [{name, depth, consumers, publish_per_second,
deliver_per_second} | {name, error}]}]}`. `depth` counts messages ready. `rates` at the top says what the
rates are and over what window. A service that is down has nulls for what only it knows, and the queues
it last reported to this gateway (at least `rpc-<service>`)."""
BROKER_ERRORS = (AMQPError, ChannelInvalidStateError, aiohttp.ClientError, OSError, asyncio.TimeoutError)
SERVICE_FIELDS = ("service", "status", "error", "version", "outbox_backlog", "parked_events", "process")


def service_view(answer: dict, queue_names: list[str], facts: dict[str, dict], rates: CounterRates) -> dict:
    view = {key: answer.get(key) for key in SERVICE_FIELDS}
    process = answer.get("process")
    view["rates"] = rates.update((answer["service"], process["host"], process["pid"], process["started_at"]),
                                 answer["counters"]) if process else None
    view["queues"] = [{"name": name, **facts.get(name, {"error": "not inspected"})} for name in queue_names]
    return view


async def queue_facts(app: web.Application, names: list[str]) -> tuple[dict, dict]:
    source = app[QUEUES]
    try:
        facts = await asyncio.wait_for(source.facts(names), HEALTH_TIMEOUT_SECONDS)
    except BROKER_ERRORS as exc:
        log.warning("queue facts from %s failed: %r", source.source, exc)
        return {"source": source.source, "status": "down", "error": str(exc) or type(exc).__name__}, {}
    return {"source": source.source, "status": "ok"}, facts


@routes.get("/admin/ops", roles=ADMIN, summary="Every service's status, queues and message rates, and the gateway's",
            responses={"200": {"description": RESPONSE}})
async def ops(request: web.Request) -> web.Response:
    app = request.app
    services = app[SETTINGS].services
    answers = await asyncio.gather(*(service_health(request, name, "ops_status") for name in services))
    known = app[KNOWN_QUEUES]
    known.update({answer["service"]: answer["queues"] for answer in answers if "queues" in answer})
    # nameko's RPC queue name: what a service that never answered this gateway is known to consume
    names = {service: known.get(service, [f"rpc-{service}"]) for service in services}
    broker, facts = await queue_facts(app, [name for queue_names in names.values() for name in queue_names])
    return json_response({
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "gateway": {"status": "ok", "version": importlib.metadata.version("crm-gateway")},
        "broker": broker,
        "rates": RATES_BASIS,
        "services": [service_view(answer, names[service], facts, app[RATES])
                     for service, answer in zip(services, answers)],
    })
