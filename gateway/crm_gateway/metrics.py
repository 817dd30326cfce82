"""Prometheus metrics of the gateway: requests by route and status, and their latency."""
import time

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter("crm_gateway_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("crm_gateway_request_seconds", "HTTP request latency", ["method", "route"])


@web.middleware
async def metrics_middleware(request: web.Request, handler):
    started = time.perf_counter()
    route = request.match_info.route.resource
    name = route.canonical if route is not None else "unmatched"
    response = await handler(request)
    LATENCY.labels(request.method, name).observe(time.perf_counter() - started)
    REQUESTS.labels(request.method, name, response.status).inc()
    return response


def exposition() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
