import asyncio
import hmac

from aiohttp import web

from crm_gateway.api import ADMIN, ANY_USER, PUBLIC, SIGNED, Routes, authenticate, bearer_token, json_response
from crm_gateway.context import RPC, SETTINGS
from crm_gateway.metrics import exposition
from crm_gateway.openapi import openapi_document
from crm_gateway.rpc.nameko_amqp import RemoteError, ServiceUnavailable

routes = Routes("system")
HEALTH_TIMEOUT_SECONDS = 3.0


async def service_health(request: web.Request, service: str, method: str = "health") -> dict:
    """The service's answer to `health` (or another health-like RPC), or why it is down."""
    try:
        return await request.app[RPC].call(service, method, timeout=HEALTH_TIMEOUT_SECONDS)
    except (ServiceUnavailable, RemoteError) as exc:
        return {"service": service, "status": "down", "error": str(exc)}


@routes.get("/health", roles=PUBLIC, summary="Whether the gateway and every service answer")
async def health(request: web.Request) -> web.Response:
    services = request.app[SETTINGS].services
    answers = await asyncio.gather(*(service_health(request, name) for name in services))
    healthy = all(answer.get("status") == "ok" for answer in answers)
    return json_response({"status": "ok" if healthy else "degraded", "services": answers},
                         status=200 if healthy else 503)


@routes.get("/metrics", roles=SIGNED,
            summary="Prometheus metrics of the gateway: an admin's token, or GATEWAY_METRICS_TOKEN for a scraper")
async def metrics(request: web.Request) -> web.Response:
    scraper_token = request.app[SETTINGS].metrics_token
    token = bearer_token(request) or ""
    if not (scraper_token and hmac.compare_digest(token.encode(), scraper_token.encode())):
        await authenticate(request, ADMIN)
    body, content_type = exposition()
    return web.Response(body=body, headers={"Content-Type": content_type})


@routes.get("/openapi.json", roles=ANY_USER, summary="This document")
async def openapi(request: web.Request) -> web.Response:
    return json_response(openapi_document(request.app))
