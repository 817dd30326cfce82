"""The chassis' part of an erasure, against the real database and broker: transient data is
published but not kept in the outbox, and a person is masked in outbox and parked envelopes —
their names only in events about them, their identifiers everywhere, JSON keys never."""
import uuid

import pytest
import sqlalchemy as sa
from kombu import Connection, Exchange, Queue
from sqlalchemy.orm import Session

from crm_chassis.erasure import MASK, Erasure, Personal, scrub_plumbing
from crm_chassis.events import make_envelope
from crm_chassis.outbox import OutboxRelay
from crm_chassis.tables import metadata as plumbing
from crm_chassis.tables import outbox, parked_events
from tests.support.databases import fresh_database

ANN = Erasure(contact_ids=(7,), deal_ids=(15,), personal=Personal(names=("Ann",), phones=("+79161234567",)))


@pytest.fixture(scope="module")
def engine(infrastructure):
    engine = sa.create_engine(fresh_database(infrastructure, "chassis_erasure", plumbing))
    yield engine
    engine.dispose()


def store(engine, table: sa.Table, envelope: dict, **values) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(table).values(event_id=envelope["event_id"], event_type=envelope["event_type"],
                                             envelope=envelope, **values))


def kept(engine, table: sa.Table, event_id: str) -> dict:
    with engine.connect() as conn:
        return conn.execute(sa.select(table.c.envelope).where(table.c.event_id == event_id)).scalar_one()


def test_transient_data_is_published_and_then_gone_from_the_outbox(engine, infrastructure):
    producer = f"probe_erasure_{uuid.uuid4().hex[:6]}"
    envelope = make_envelope("contact.erased.v1", {"contact_id": 7, "personal": {"phones": ["+79161234567"]}},
                             producer, None, transient=("personal",))
    store(engine, outbox, envelope)
    exchange = Exchange(f"{producer}.events", type="topic", durable=True)
    queue = Queue(f"{producer}-listener", exchange, routing_key="#", auto_delete=True)
    with Connection(infrastructure["rabbitmq"]) as conn:
        queue(conn.default_channel).declare()
        OutboxRelay(engine, producer, infrastructure["rabbitmq"]).publish_all()
        message = queue(conn.default_channel).get(no_ack=True)

    assert message.payload["data"]["personal"] == {"phones": ["+79161234567"]}  # consumers get it
    stored = kept(engine, outbox, envelope["event_id"])
    assert stored["data"] == {"contact_id": 7} and stored["transient"] == ["personal"]  # the record stays


def test_a_person_is_masked_in_outbox_and_parked_envelopes(engine):
    theirs = make_envelope("communication.recorded.v1", {"contact_id": 7, "contact_name": "Ann",
                                                         "channel": "sms", "from_address": "+79161234567"}, "leads", None)
    their_deal = make_envelope("booking.created.v1", {"deal_id": 15, "client_name": "Ann"}, "scheduling", None)
    namesake = make_envelope("communication.recorded.v1", {"contact_id": 8, "contact_name": "Ann",
                                                           "channel": "sms", "from_address": "+79990000000"}, "leads", None)
    mentions = make_envelope("lead.created.v1", {"contact_id": 9, "title": "Перезвонить на 79161234567"}, "leads", None)
    parked = make_envelope("booking.created.v1", {"deal_id": 15, "client_phone": "+79161234567"}, "scheduling", None)
    for envelope in (theirs, their_deal, namesake, mentions):
        store(engine, outbox, envelope)
    store(engine, parked_events, parked, handler="probe", error="boom", attempts=1)

    with Session(engine) as session, session.begin():
        scrub_plumbing(session, ANN)

    assert kept(engine, outbox, theirs["event_id"])["data"] == {
        "contact_id": 7, "contact_name": MASK, "channel": "sms", "from_address": MASK}
    assert kept(engine, outbox, their_deal["event_id"])["data"] == {"deal_id": 15, "client_name": MASK}
    assert kept(engine, outbox, namesake["event_id"]) == namesake  # another Ann keeps her name
    assert kept(engine, outbox, mentions["event_id"])["data"]["title"] == f"Перезвонить на {MASK}"
    assert kept(engine, parked_events, parked["event_id"])["data"] == {"deal_id": 15, "client_phone": MASK}
