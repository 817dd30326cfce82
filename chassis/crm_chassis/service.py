"""`ServiceBase`: what every nameko service class inherits — database, context, health,
metrics, and the operator's view of parked events."""
import functools
import importlib.metadata
import json

import sqlalchemy as sa
from nameko.dependency_providers import Config
from nameko.rpc import rpc as nameko_rpc
from nameko.timer import timer
from nameko.web.handlers import http

from crm_chassis import metrics
from crm_chassis.context import RequestContext
from crm_chassis.db import Database
from crm_chassis.errors import ServiceError
from crm_chassis.topology import OwnQueues

# Errors a caller caused are logged as warnings without a traceback, not as crashes.
rpc = nameko_rpc(expected_exceptions=ServiceError)
PARKED_RETRY_SECONDS = 30
PARKED_AUTO_ATTEMPTS = 13  # the handler's own 3, then 10 more, each `attempts x 30 s` after the last


class ServiceBase:
    name: str
    db = Database()
    config = Config()
    correlation_id = RequestContext()
    own_queues = OwnQueues()

    @rpc
    def health(self) -> dict:
        return self._health()

    @rpc
    def ops_status(self) -> dict:
        """Health, plus what the operator's dashboard shows: the answering process, the queues
        the service consumes from and its event counters (the gateway turns them into rates)."""
        return {**self._health(), "process": metrics.PROCESS, "queues": self.own_queues,
                "counters": metrics.counters()}

    @http("GET", "/health")
    def http_health(self, request):
        try:
            body = self._health()
            return 200, {"Content-Type": "application/json"}, json.dumps(body)
        except Exception as exc:
            body = {"service": self.name, "status": "down", "error": str(exc)}
            return 503, {"Content-Type": "application/json"}, json.dumps(body)

    @http("GET", "/metrics")
    def http_metrics(self, request):
        self.db.outbox_backlog()  # refresh the gauges before they are read
        self.db.parked_count()
        body, content_type = metrics.exposition()
        return 200, {"Content-Type": content_type}, body

    @rpc
    def parked_events(self) -> list[dict]:
        return self.db.parked()

    @rpc
    def replay_parked(self, parked_id: int) -> dict:
        handler = self.db.parked_handler(parked_id)
        if handler is None:
            return {"id": parked_id, "replayed": False, "error": "not found"}
        entrypoint = getattr(type(self), handler, None)
        if entrypoint is None or not hasattr(entrypoint, "crm_apply"):
            return {"id": parked_id, "replayed": False, "error": f"no handler {handler} in this version"}
        return self.db.replay(parked_id, entrypoint.crm_reading(), functools.partial(entrypoint.crm_apply, self))

    @timer(interval=PARKED_RETRY_SECONDS)
    def retry_parked(self):
        self.retry_parked_events()

    @rpc
    def retry_parked_events(self, backoff_seconds: float = PARKED_RETRY_SECONDS) -> list[dict]:
        """Try parked events again, each later the more often it failed, up to a limit.

        Events of one producer travel on separate queues and can arrive out of order (a deal's
        move before its creation): these go through on a later try by themselves. What still
        fails after PARKED_AUTO_ATTEMPTS stays parked for an operator.
        """
        due = self.db.parked_due(backoff_seconds, PARKED_AUTO_ATTEMPTS)
        return [self.replay_parked(parked_id) for parked_id in due]

    def _health(self) -> dict:
        with self.db.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return {
            "service": self.name,
            "status": "ok",
            "version": _version(self.name),
            "outbox_backlog": self.db.outbox_backlog(),
            "parked_events": self.db.parked_count(),
        }


def _version(service: str) -> str:
    try:
        return importlib.metadata.version(f"crm-{service}")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
