"""The request context of the current worker: request and correlation ids, for logs and events,
and the viewer a gateway call acts for (see `crm_chassis.scope`).

Nameko copies every `nameko.<key>` AMQP header into the worker context; the gateway sends
`nameko.request_id` and `nameko.viewer`, and events carry `nameko.correlation_id`. Under eventlet,
`threading.local` is green-thread local, so each worker sees its own values.
"""
import json
import threading
import uuid

from nameko.extensions import DependencyProvider

_local = threading.local()


def current_correlation_id() -> str | None:
    return getattr(_local, "correlation_id", None)


def current_request_id() -> str | None:
    return getattr(_local, "request_id", None)


def current_user_id() -> int | None:
    """The gateway user a worker acts for (the `nameko.user_id` header), if any."""
    raw = getattr(_local, "user_id", None)
    return int(raw) if raw and str(raw).isdigit() else None


def current_viewer() -> dict | None:
    """The viewer of a gateway call as the gateway sent it; None for events and timers."""
    return getattr(_local, "viewer", None)


def bind(request_id: str | None, correlation_id: str | None, user_id: str | None = None,
         viewer: str | None = None) -> None:
    _local.request_id = request_id
    _local.correlation_id = correlation_id or request_id
    _local.user_id = user_id
    _local.viewer = json.loads(viewer) if viewer else None


def clear() -> None:
    _local.__dict__.clear()


class RequestContext(DependencyProvider):
    """Binds the ids of each worker as it is built, so logs and emitted events carry them."""

    def get_dependency(self, worker_ctx):
        data = worker_ctx.data
        request_id = data.get("request_id")
        correlation_id = data.get("correlation_id") or request_id or str(uuid.uuid4())
        bind(request_id, correlation_id, data.get("user_id"), data.get("viewer"))
        return correlation_id

    def worker_teardown(self, worker_ctx):
        clear()
