"""The gateway's app factory."""
import logging
import re
import uuid
from datetime import timedelta

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.ext.asyncio import create_async_engine

from crm_gateway.accounts import Accounts
from crm_gateway.api import wrap
from crm_gateway.departments import Departments
from crm_gateway.context import ACCOUNTS, DEPARTMENTS, KNOWN_QUEUES, LIVE, QUEUES, RATES, RPC, SETTINGS
from crm_gateway.errors import error_middleware
from crm_gateway.live import LiveUpdates
from crm_gateway.metrics import metrics_middleware
from crm_gateway.openapi import BASE_PATH, ENDPOINTS
from crm_gateway.queues import BrokerQueues, ManagementQueues
from crm_gateway.rates import CounterRates
from crm_gateway.routes import ALL
from crm_gateway.routes.system import HEALTH_TIMEOUT_SECONDS, health
from crm_gateway.rpc.nameko_amqp import NamekoRpcClient
from crm_gateway.settings import Settings
from crm_gateway.web_console import add_console, console_headers

log = logging.getLogger(__name__)
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


@web.middleware
async def request_id_middleware(request: web.Request, handler):
    given = request.headers.get("X-Request-ID", "")
    request["request_id"] = given if REQUEST_ID.match(given) else str(uuid.uuid4())
    response = await handler(request)
    response.headers["X-Request-ID"] = request["request_id"]
    return response


def async_database_url(url: str) -> sa.URL:
    return sa.make_url(url).set(drivername="postgresql+asyncpg")


async def resources(app: web.Application):
    settings = app[SETTINGS]
    engine = create_async_engine(async_database_url(settings.database_url), pool_size=10, pool_pre_ping=True)
    app[ACCOUNTS] = Accounts(engine, timedelta(hours=settings.token_ttl_hours))
    app[DEPARTMENTS] = Departments(engine)
    rpc = NamekoRpcClient(settings.amqp_uri, settings.rpc_timeout)
    await rpc.start()
    app[RPC] = rpc
    live = LiveUpdates(settings.amqp_uri)
    await live.start()
    app[LIVE] = live
    queues = (ManagementQueues(settings.rabbitmq_management_url, settings.amqp_uri, HEALTH_TIMEOUT_SECONDS)
              if settings.rabbitmq_management_url else BrokerQueues(settings.amqp_uri))
    await queues.start()
    app[QUEUES] = queues
    yield
    await queues.close()
    await live.close()
    await rpc.close()
    await engine.dispose()


def create_app(settings: Settings | None = None) -> web.Application:
    settings = settings or Settings.from_env()
    app = web.Application(
        middlewares=[request_id_middleware, error_middleware, metrics_middleware, console_headers],
        client_max_size=settings.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[RATES] = CounterRates()
    app[KNOWN_QUEUES] = {}
    app[ENDPOINTS] = [endpoint for routes in ALL for endpoint in routes.endpoints]
    for endpoint in app[ENDPOINTS]:
        app.router.add_route(endpoint.method, BASE_PATH + endpoint.path, wrap(endpoint))
    app.router.add_get("/health", wrap(next(e for e in app[ENDPOINTS] if e.handler is health)))
    add_console(app)
    app.cleanup_ctx.append(resources)
    return app
