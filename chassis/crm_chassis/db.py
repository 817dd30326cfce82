"""The database dependency: one engine per service, a unit of work per call, the outbox relay.

Service code runs its changes through `self.db.transaction(fn, ...)`: `fn(tx, ...)` gets a
`Transaction` with a SQLAlchemy session and `emit()`, which writes events to the outbox in
the same transaction. Transient errors (a dropped connection, a serialization failure)
re-run `fn` from the start on a fresh connection. After a commit that emitted events the
relay is woken to publish them at once; a timer republishes anything left behind.

A change may also `record()` facts that the service settles itself before the commit (the
way an aggregate collects its events): `Database(before_commit=step)` runs `step(tx)` once
`fn` has returned, whenever something was recorded, in the same transaction. The step takes
what was recorded with `next_recorded()` and may record more while it runs; whatever it leaves,
or whatever is recorded in a service without a step, fails the transaction instead of being
dropped.
"""
import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from marshmallow import Schema
from nameko.extensions import DependencyProvider
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, sessionmaker

from crm_chassis import context, metrics
from crm_chassis.events import Unreadable, make_envelope, read_event
from crm_chassis.outbox import OutboxRelay
from crm_chassis.tables import inbox, outbox, parked_events

log = logging.getLogger(__name__)

TRANSIENT_RETRIES = 3
RELAY_INTERVAL_SECONDS = 1.0


def is_transient(exc: Exception) -> bool:
    return isinstance(exc, sa.exc.OperationalError) or getattr(exc, "connection_invalidated", False)


class Transaction:
    def __init__(self, session: Session, producer: str):
        self.session = session
        self.producer = producer
        self.emitted = 0
        self._recorded: deque = deque()

    def record(self, fact: Any) -> None:
        """Note a fact for the service's before-commit step (see `Database`)."""
        self._recorded.append(fact)

    def next_recorded(self) -> Any | None:
        """The oldest fact not yet taken, or None: facts are settled in the order they happened."""
        return self._recorded.popleft() if self._recorded else None

    @property
    def has_recorded(self) -> bool:
        return bool(self._recorded)

    @contextmanager
    def savepoint(self, undo: bool = False) -> Iterator[None]:
        """A nested transaction. When the block fails, or `undo` asks for a rehearsal, its writes and
        the facts it recorded are undone together."""
        kept = len(self._recorded)
        nested = self.session.begin_nested()
        try:
            yield
        except BaseException:
            undo = True
            raise
        finally:
            if undo:
                nested.rollback()
                while len(self._recorded) > kept:
                    self._recorded.pop()
            else:
                nested.commit()

    def emit(self, event_type: str, data: dict, transient: tuple[str, ...] = ()) -> dict:
        """Write an event to the outbox; `transient` names data keys kept only until published."""
        envelope = make_envelope(event_type, data, self.producer, context.current_correlation_id(), transient,
                                 actor=context.current_actor())
        self.session.execute(
            sa.insert(outbox).values(
                event_id=envelope["event_id"], event_type=event_type, envelope=envelope
            )
        )
        self.emitted += 1
        return envelope


class UnitOfWork:
    """What a worker sees as `self.db`."""

    def __init__(self, provider: "Database"):
        self._provider = provider

    @property
    def engine(self) -> sa.Engine:
        return self._provider.engine

    def transaction(self, fn: Callable[..., Any], *args, **kwargs) -> Any:
        for attempt in range(1, TRANSIENT_RETRIES + 1):
            try:
                with self._provider.sessionmaker.begin() as session:
                    tx = Transaction(session, self._provider.service_name)
                    result = fn(tx, *args, **kwargs)
                    self._provider.settle(tx)
                break
            except Exception as exc:
                if attempt == TRANSIENT_RETRIES or not is_transient(exc):
                    raise
                log.warning("transient database error, attempt %s: %s", attempt, exc)
                time.sleep(0.1 * 2**attempt)
        if tx.emitted:
            self._provider.wake_relay()
        return result

    def read(self, fn: Callable[..., Any], *args, **kwargs) -> Any:
        """Run a query function `fn(session, ...)` in a read-only transaction."""
        with self._provider.sessionmaker() as session:
            return fn(session, *args, **kwargs)

    # -- idempotent event handling -------------------------------------------------------

    def consume(self, handler: str, envelope: Any, reading: Schema, apply: Callable, retries: int,
                backoff: float) -> str:
        """Read the event's data with `reading`, then apply `apply(tx, data, envelope)` once per
        (event_id, handler); retry, then park.

        An event that does not read (a malformed envelope, data the reading refuses) is parked
        at once with the reason: no retry can make it load. Returns "applied", "duplicate" or
        "parked". Raises only when even parking failed (the database is down): the event is
        then requeued by the broker.
        """
        try:
            data = read_event(envelope, reading)
        except Unreadable as exc:
            self._park(handler, envelope, str(exc), attempts=1)
            return "parked"
        error = ""
        for attempt in range(1, retries + 1):
            started = time.monotonic()
            try:
                applied = self.transaction(self._apply_once, handler, apply, data, envelope)
            except Exception:
                metrics.HANDLER_FAILURES.labels(handler).inc()
                error = traceback.format_exc(limit=5)
                log.warning("handler %s failed on %s, attempt %s of %s",
                            handler, envelope["event_id"], attempt, retries, exc_info=True)
                if attempt < retries:
                    time.sleep(backoff * 2 ** (attempt - 1))
                continue
            metrics.HANDLER_SECONDS.labels(handler).observe(time.monotonic() - started)
            outcome = "applied" if applied else "duplicate"
            metrics.EVENTS_HANDLED.labels(handler, outcome).inc()
            return outcome
        self._park(handler, envelope, error, attempts=retries)
        return "parked"

    @staticmethod
    def _apply_once(tx: Transaction, handler: str, apply: Callable, data: Any, envelope: dict) -> bool:
        first_time = tx.session.execute(
            pg_insert(inbox)
            .values(event_id=envelope["event_id"], handler=handler)
            .on_conflict_do_nothing()
            .returning(inbox.c.event_id)
        ).first()
        if first_time is None:
            return False
        with context.acting_as(envelope.get("actor")):  # what an event causes is its author's doing
            apply(tx, data, envelope)
        return True

    def _park(self, handler: str, envelope: Any, error: str, attempts: int) -> None:
        body = envelope if isinstance(envelope, dict) else {"raw": envelope}
        values = dict(
            handler=handler,
            event_id=str(body.get("event_id", "")),
            event_type=str(body.get("event_type", "")),
            envelope=body,
            error=error,
            attempts=attempts,
        )
        statement = pg_insert(parked_events).values(**values)
        statement = statement.on_conflict_do_update(
            constraint="parked_events_handler_event",
            set_={
                "error": statement.excluded.error,
                "attempts": parked_events.c.attempts + statement.excluded.attempts,
                "parked_at": sa.func.now(),
            },
        )
        with self._provider.sessionmaker.begin() as session:
            session.execute(statement)
        metrics.EVENTS_HANDLED.labels(handler, "parked").inc()
        log.error("parked event %s for handler %s", values["event_id"], handler)

    def outbox_backlog(self) -> int:
        return self._provider.relay.backlog()

    def parked(self) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(parked_events).order_by(parked_events.c.id)).mappings().all()
        metrics.PARKED_EVENTS.set(len(rows))
        return [
            {**row, "parked_at": row["parked_at"].isoformat()} for row in rows
        ]

    def parked_count(self) -> int:
        """How many events wait parked (health and metrics ask often: no payloads read)."""
        with self.engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(parked_events)).scalar_one()
        metrics.PARKED_EVENTS.set(count)
        return count

    def parked_due(self, backoff_seconds: float, max_attempts: int) -> list[int]:
        """Parked events whose next automatic try is due: `attempts x backoff` after the last."""
        wait = sa.func.make_interval(0, 0, 0, 0, 0, 0, parked_events.c.attempts * backoff_seconds)
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(parked_events.c.id).where(parked_events.c.attempts < max_attempts,
                                                    parked_events.c.parked_at < sa.func.now() - wait)
                .order_by(parked_events.c.id).limit(100)
            ).scalars().all()

    def parked_handler(self, parked_id: int) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(parked_events.c.handler).where(parked_events.c.id == parked_id)
            ).scalar_one_or_none()

    def replay(self, parked_id: int, reading: Schema, apply: Callable) -> dict:
        """Read a parked event and apply it once (the inbox still guards it) and unpark it, in one
        transaction; `reading` and `apply(tx, data, envelope)` as for `consume`."""

        def replay_in(tx: Transaction) -> bool:
            row = tx.session.execute(
                sa.select(parked_events).where(parked_events.c.id == parked_id).with_for_update()
            ).mappings().one()
            data = read_event(row["envelope"], reading)
            applied = self._apply_once(tx, row["handler"], apply, data, row["envelope"])
            tx.session.execute(sa.delete(parked_events).where(parked_events.c.id == parked_id))
            return applied

        try:
            applied = self.transaction(replay_in)
        except Exception as exc:
            with self._provider.sessionmaker.begin() as session:
                session.execute(
                    sa.update(parked_events)
                    .where(parked_events.c.id == parked_id)
                    .values(error=traceback.format_exc(limit=5), attempts=parked_events.c.attempts + 1,
                            parked_at=sa.func.now())
                )
            return {"id": parked_id, "replayed": False, "error": str(exc)}
        return {"id": parked_id, "replayed": True, "applied": applied}


class UnsettledFacts(RuntimeError):
    """A transaction recorded facts that no before-commit step took: it is rolled back, not committed."""


class Database(DependencyProvider):
    """Engine, sessions and the outbox relay of one service; `self.db` is a `UnitOfWork`.

    `before_commit(tx)`, if given, settles what a transaction recorded (see the module's doc).
    """

    def __init__(self, before_commit: Callable[[Transaction], None] | None = None):
        self.before_commit = before_commit

    def settle(self, tx: Transaction) -> None:
        if tx.has_recorded and self.before_commit is not None:
            self.before_commit(tx)
        if tx.has_recorded:
            raise UnsettledFacts(f"{self.service_name}: recorded facts left unsettled: {tx.next_recorded()!r}")

    def setup(self):
        config = self.container.config
        self.service_name = self.container.service_name
        workers = int(config.get("max_workers", 10))
        self.engine = sa.create_engine(
            config["DATABASE_URL"],
            pool_size=workers + 2,  # every worker plus the relay and the health check
            max_overflow=0,
            pool_pre_ping=True,
            pool_recycle=1800,
        )
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self.relay = OutboxRelay(self.engine, self.service_name, config["AMQP_URI"])
        self.relay_interval = float(config.get("OUTBOX_RELAY_INTERVAL", RELAY_INTERVAL_SECONDS))
        self._wake = threading.Event()

    def start(self):
        self.container.spawn_managed_thread(self._relay_forever, identifier="outbox_relay")

    def stop(self):
        self.engine.dispose()

    def kill(self):
        self.engine.dispose()

    def wake_relay(self):
        self._wake.set()

    def _relay_forever(self):
        while True:
            self._wake.wait(self.relay_interval)
            self._wake.clear()
            try:
                self.relay.publish_all()
                self.relay.backlog()
            except Exception:
                log.exception("outbox relay failed; retrying")
                time.sleep(self.relay_interval)

    def get_dependency(self, worker_ctx):
        return UnitOfWork(self)
