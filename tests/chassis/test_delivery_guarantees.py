"""The chassis' promises, proven against the real broker and database with nameko containers.

(a) a service that dies after its commit but before publishing still delivers the event
    once it is back; (b) the same event delivered twice has its effect once; (c) a handler
    that fails is retried, then parked, and replaying it applies it once; (d) an event whose
    envelope or data does not load is parked at once with the reason, and the events after
    it go through.
"""
import json
import uuid

import pytest
import sqlalchemy as sa
from kombu import Connection, Exchange
from marshmallow import fields
from nameko.testing.services import entrypoint_hook

from crm_chassis.events import Reading, make_envelope
from crm_chassis.handlers import on_event
from crm_chassis.outbox import OutboxRelay
from crm_chassis.service import ServiceBase, rpc
from crm_chassis.tables import inbox, outbox, parked_events
from crm_chassis.tables import metadata as plumbing
from tests.support.databases import fresh_database
from tests.support.system import eventually

probe_metadata = sa.MetaData()
notes = sa.Table("probe_notes", probe_metadata, sa.Column("text", sa.Text, primary_key=True))
effects = sa.Table("probe_effects", probe_metadata,
                   sa.Column("text", sa.Text, primary_key=True), sa.Column("times", sa.Integer, nullable=False))
failures = sa.Table("probe_failures", probe_metadata, sa.Column("text", sa.Text, primary_key=True))


class Producer(ServiceBase):
    name = "probe_producer"

    @rpc
    def note(self, text: str) -> None:
        def write(tx):
            tx.session.execute(sa.insert(notes).values(text=text))
            tx.emit("note.written.v1", {"text": text})

        self.db.transaction(write)


class NoteReading(Reading):
    text = fields.String(required=True)


class Consumer(ServiceBase):
    name = "probe_consumer"

    @on_event("probe_producer", "note.written.v1", NoteReading, backoff=0.05)
    def apply_note(self, tx, note, envelope):
        text = note["text"]
        if tx.session.execute(sa.select(failures).where(failures.c.text == text)).first():
            raise RuntimeError(f"told to fail on {text}")
        statement = sa.dialects.postgresql.insert(effects).values(text=text, times=1)
        tx.session.execute(statement.on_conflict_do_update(
            index_elements=[effects.c.text], set_={"times": effects.c.times + 1}))


@pytest.fixture(scope="module")
def database_url(infrastructure):
    return fresh_database(infrastructure, "chassis", plumbing, probe_metadata)


@pytest.fixture
def config(database_url, infrastructure):
    # A vhost-wide unique RPC exchange keeps these probes away from the running system.
    return {"AMQP_URI": infrastructure["rabbitmq"], "DATABASE_URL": database_url,
            "WEB_SERVER_ADDRESS": "127.0.0.1:0", "max_workers": 4, "OUTBOX_RELAY_INTERVAL": 0.2,
            "rpc_exchange": f"probe-rpc-{uuid.uuid4().hex[:8]}"}


@pytest.fixture
def db(database_url):
    engine = sa.create_engine(database_url)
    yield engine
    engine.dispose()


def publish(config, *envelopes) -> None:
    """Publish as a producer would, bypassing its outbox (to deliver twice, or deliver nonsense)."""
    exchange = Exchange("probe_producer.events", type="topic", durable=True)
    with Connection(config["AMQP_URI"]) as conn:
        producer = conn.Producer(exchange=exchange, serializer="json")
        for envelope in envelopes:
            producer.publish(envelope, routing_key="note.written.v1", declare=[exchange])


def times_applied(db, text: str) -> int:
    with db.connect() as conn:
        return conn.execute(sa.select(effects.c.times).where(effects.c.text == text)).scalar() or 0


def test_an_event_committed_before_a_crash_is_published_when_the_service_returns(
        container_factory, config, db, monkeypatch):
    consumer = container_factory(Consumer, config)
    consumer.start()
    producer = container_factory(Producer, config)
    with monkeypatch.context() as patch:
        # The broker is out of reach from the moment of commit: publishing never happens.
        patch.setattr(OutboxRelay, "publish_pending", lambda self: (_ for _ in ()).throw(OSError("down")))
        producer.start()
        with entrypoint_hook(producer, "note") as note:
            note(text="crash-window")
        producer.kill()  # dies with the event committed and unpublished

    with db.connect() as conn:
        pending = conn.execute(sa.select(outbox.c.published_at)
                               .where(outbox.c.envelope["data"]["text"].astext == "crash-window")).one()
    assert pending.published_at is None
    assert times_applied(db, "crash-window") == 0

    container_factory(Producer, config).start()  # back again

    eventually(lambda: times_applied(db, "crash-window") == 1)
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(outbox)
                            .where(outbox.c.published_at.is_(None))).scalar() == 0


def test_the_same_event_delivered_twice_has_its_effect_once(container_factory, config, db):
    consumer = container_factory(Consumer, config)
    consumer.start()
    envelope = make_envelope("note.written.v1", {"text": "twice"}, "probe_producer", None)
    publish(config, envelope, envelope)

    eventually(lambda: _inbox_rows(db, envelope["event_id"]) == 1)
    eventually(lambda: times_applied(db, "twice") == 1)
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(parked_events)).scalar() == 0


def _inbox_rows(db, event_id: str) -> int:
    with db.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(inbox).where(inbox.c.event_id == event_id)).scalar()


def test_a_failing_handler_is_retried_then_parked_and_a_replay_applies_it_once(container_factory, config, db):
    with db.begin() as conn:
        conn.execute(sa.insert(failures).values(text="poison"))
    consumer = container_factory(Consumer, config)
    consumer.start()
    producer = container_factory(Producer, config)
    producer.start()
    with entrypoint_hook(producer, "note") as note:
        note(text="poison")

    parked = eventually(lambda: _parked(db, "poison"))
    assert parked["handler"] == "apply_note"
    assert parked["attempts"] == 3
    assert "told to fail on poison" in parked["error"]
    assert times_applied(db, "poison") == 0
    with entrypoint_hook(consumer, "parked_events") as listed:
        assert [event["id"] for event in listed()] == [parked["id"]]

    with entrypoint_hook(consumer, "replay_parked") as replay:
        still_failing = replay(parked_id=parked["id"])
    assert still_failing["replayed"] is False and times_applied(db, "poison") == 0

    with db.begin() as conn:
        conn.execute(sa.delete(failures))
    with entrypoint_hook(consumer, "replay_parked") as replay:
        assert replay(parked_id=parked["id"]) == {"id": parked["id"], "replayed": True, "applied": True}
        assert replay(parked_id=parked["id"])["replayed"] is False  # gone: nothing to apply twice
    assert times_applied(db, "poison") == 1
    assert _parked(db, "poison") is None


def test_a_malformed_event_is_parked_with_its_reason(container_factory, config, db):
    consumer = container_factory(Consumer, config)
    consumer.start()
    publish(config, {"event_id": "not-a-uuid", "data": "nope"})
    parked = eventually(lambda: _parked_by_id(db, "not-a-uuid"))
    assert parked["error"].startswith("malformed envelope")
    assert json.loads(json.dumps(parked["envelope"]))["data"] == "nope"


def test_data_its_reading_refuses_is_parked_at_once_with_the_errors_and_the_next_event_goes_through(
        container_factory, config, db):
    consumer = container_factory(Consumer, config)
    consumer.start()
    unreadable = make_envelope("note.written.v1", {"txt": "a typo"}, "probe_producer", None)
    readable = make_envelope("note.written.v1", {"text": "after a typo", "mood": "new"}, "probe_producer", None)
    publish(config, unreadable, readable)

    parked = eventually(lambda: _parked_by_id(db, unreadable["event_id"]))
    assert parked["handler"] == "apply_note" and parked["attempts"] == 1  # not retried: it can never load
    assert parked["error"] == "unreadable data: {'text': ['Missing data for required field.']}"
    assert parked["envelope"]["data"] == {"txt": "a typo"}
    assert _inbox_rows(db, unreadable["event_id"]) == 0
    eventually(lambda: times_applied(db, "after a typo") == 1)
    assert _inbox_rows(db, readable["event_id"]) == 1

    with entrypoint_hook(consumer, "replay_parked") as replay:
        assert replay(parked_id=parked["id"]) == {
            "id": parked["id"], "replayed": False,
            "error": "unreadable data: {'text': ['Missing data for required field.']}"}
    assert _parked_by_id(db, unreadable["event_id"])["attempts"] == 2
    assert times_applied(db, "after a typo") == 1


def _parked(db, text: str):
    with db.connect() as conn:
        row = conn.execute(sa.select(parked_events)
                           .where(parked_events.c.envelope["data"]["text"].astext == text)).mappings().first()
    return dict(row) if row else None


def _parked_by_id(db, event_id: str):
    with db.connect() as conn:
        row = conn.execute(sa.select(parked_events).where(parked_events.c.event_id == event_id)).mappings().first()
    return dict(row) if row else None


def test_a_parked_event_goes_through_by_itself_once_its_cause_is_gone(container_factory, config, db):
    with db.begin() as conn:
        conn.execute(sa.insert(failures).values(text="early"))
    consumer = container_factory(Consumer, config)
    consumer.start()
    producer = container_factory(Producer, config)
    producer.start()
    with entrypoint_hook(producer, "note") as note:
        note(text="early")
    parked = eventually(lambda: _parked(db, "early"))
    def ours(results):
        return [result for result in results if result["id"] == parked["id"]]

    with entrypoint_hook(consumer, "retry_parked_events") as retry:
        assert ours(retry(backoff_seconds=0)) == [{"id": parked["id"], "replayed": False,
                                                   "error": "told to fail on early"}]
        with db.begin() as conn:  # what it waited for has arrived
            conn.execute(sa.delete(failures))
        assert ours(retry(backoff_seconds=3600)) == []  # not due yet: it has just failed again
        assert ours(retry(backoff_seconds=0)) == [{"id": parked["id"], "replayed": True, "applied": True}]
    assert times_applied(db, "early") == 1 and _parked(db, "early") is None
