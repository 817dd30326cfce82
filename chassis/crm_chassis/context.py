"""The request context of the current worker: request and correlation ids and the actor, for logs and events,
and the viewer a gateway call acts for (see `crm_chassis.scope`).

Nameko copies every `nameko.<key>` AMQP header into the worker context; the gateway sends
`nameko.request_id`, `nameko.user_id`, `nameko.user_role` and `nameko.viewer`, and events carry
`nameko.correlation_id`. Under eventlet, `threading.local` is green-thread local, so each
worker sees its own values.

The actor (who makes a change, `crm_chassis.events.actor`) is the gateway's user when there is
one, else the system under the entrypoint's name; `acting_as` changes it for a block (a rule's
changes, an import, an event handled for someone else's change).
"""
import contextlib
import json
import threading
import uuid

from nameko.extensions import DependencyProvider

from crm_chassis.events import actor

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


def current_user_role() -> str | None:
    return getattr(_local, "user_role", None)


def current_actor() -> dict:
    """Who the changes of this worker are made by (see the module's docstring)."""
    stack = getattr(_local, "actors", None)
    if stack:
        return stack[-1]
    user_id = current_user_id()
    if user_id is not None:
        return actor("user", user_id, role=current_user_role())
    return actor("system", label=getattr(_local, "entrypoint", None) or "system")


@contextlib.contextmanager
def acting_as(who: dict | None):
    """Changes made inside the block are `who`'s (None leaves the actor as it is)."""
    if who is None:
        yield
        return
    stack = _local.__dict__.setdefault("actors", [])
    stack.append(who)
    try:
        yield
    finally:
        stack.pop()


def bind(request_id: str | None, correlation_id: str | None, user_id: str | None = None,
         user_role: str | None = None, entrypoint: str | None = None, viewer: str | None = None) -> None:
    _local.request_id = request_id
    _local.correlation_id = correlation_id or request_id
    _local.user_id = user_id
    _local.user_role = user_role
    _local.entrypoint = entrypoint
    _local.viewer = json.loads(viewer) if viewer else None


def clear() -> None:
    _local.__dict__.clear()


class RequestContext(DependencyProvider):
    """Binds the ids of each worker as it is built, so logs and emitted events carry them."""

    def get_dependency(self, worker_ctx):
        data = worker_ctx.data
        request_id = data.get("request_id")
        correlation_id = data.get("correlation_id") or request_id or str(uuid.uuid4())
        entrypoint = f"{worker_ctx.service_name}.{worker_ctx.entrypoint.method_name}"
        bind(request_id, correlation_id, data.get("user_id"), data.get("user_role"), entrypoint, data.get("viewer"))
        return correlation_id

    def worker_teardown(self, worker_ctx):
        clear()
