"""The outbound queue against the real PostgreSQL: one send per cause, claims that never
overlap between senders, retries that wait, WhatsApp's fallback, and stale claims ending failed."""
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from crm_chassis.db import Transaction
from crm_notify import delivery
from crm_notify.domain.messages import SendError
from crm_notify.domain.quiet_hours import QuietHours
from crm_chassis.tables import metadata as plumbing
from crm_notify.tables import metadata, notifications

MSK = "Europe/Moscow"


@pytest.fixture(scope="module")
def engine(infrastructure):
    from crm_chassis.migrate import ensure_database

    url = f"{infrastructure['postgres']}/{infrastructure['db_prefix']}_notify_outbound"
    ensure_database(url)
    engine = sa.create_engine(url)
    for tables in (metadata, plumbing):  # notify's own, and the outbox its changes write events to
        tables.drop_all(engine)
        tables.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def tx_of(engine):
    with engine.begin() as conn:
        conn.execute(notifications.delete())
    makers = sessionmaker(engine)

    def run(fn, *args, **kwargs):
        with makers.begin() as session:
            return fn(Transaction(session, "notify"), *args, **kwargs)

    return run


def sms(tx, cause: str, to: str = "+79005550101", channel: str = "sms") -> dict:
    return delivery.enqueue(tx, channel=channel, recipient=to, template="message", data={"text": "Привет"},
                            cause=cause, timezone="Europe/Moscow")


def test_the_same_cause_is_stored_once(tx_of):
    first = tx_of(sms, "event:1")
    again = tx_of(sms, "event:1")
    other = tx_of(sms, "event:2")
    assert first["id"] == again["id"] != other["id"]
    assert first["status"] == "pending"


def test_two_senders_never_claim_the_same_message(engine, tx_of):
    for n in range(10):
        tx_of(sms, f"event:{n}", to=f"+7900555{n:04d}")
    makers = sessionmaker(engine)
    with makers.begin() as first, makers.begin() as second:  # both open at once
        mine = delivery.claim_due(Transaction(first, "notify"), {"sms": 6})
        theirs = delivery.claim_due(Transaction(second, "notify"), {"sms": 6})
    assert len(mine) == 6 and len(theirs) == 4
    assert not {m["id"] for m in mine} & {m["id"] for m in theirs}
    assert {m["status"] for m in mine + theirs} == {"sending"} and {m["attempts"] for m in mine} == {1}


def test_a_transient_error_waits_before_the_next_attempt_and_a_permanent_one_ends_it(tx_of):
    tx_of(sms, "event:flaky", to="+79005550001")
    (claimed,) = tx_of(delivery.claim_due, {"sms": 5})
    assert tx_of(delivery.record_error, claimed, SendError("503: down", transient=True), MSK, None) == "pending"
    assert tx_of(delivery.claim_due, {"sms": 5}) == []  # not due yet
    tx_of(sms, "event:bad", to="+79005550002")
    (bad,) = tx_of(delivery.claim_due, {"sms": 5})
    assert tx_of(delivery.record_error, bad, SendError("21211: invalid To", transient=False), MSK, None) == "failed"


def test_a_whatsapp_that_fails_is_sent_again_as_sms_once(engine, tx_of):
    tx_of(sms, "event:wa", channel="whatsapp")
    (claimed,) = tx_of(delivery.claim_due, {"whatsapp": 5})
    tx_of(delivery.record_error, claimed, SendError("63003: not on WhatsApp", transient=False), MSK, None)
    tx_of(delivery.record_error, claimed, SendError("63003: not on WhatsApp", transient=False), MSK, None)  # a repeat
    with engine.connect() as conn:
        rows = conn.execute(sa.select(notifications.c.channel, notifications.c.status, notifications.c.body)
                            .order_by(notifications.c.id)).all()
    assert rows == [("whatsapp", "failed", "Привет"), ("sms", "pending", "Привет")]


def test_a_claim_left_behind_by_a_dead_sender_ends_failed_not_sent_twice(engine, tx_of):
    tx_of(sms, "event:old", to="+79005550003")
    tx_of(sms, "event:new", to="+79005550004")
    claimed = tx_of(delivery.claim_due, {"sms": 5})
    with engine.begin() as conn:
        conn.execute(notifications.update().where(notifications.c.id == claimed[0]["id"])
                     .values(updated_at=datetime.now(UTC) - delivery.STALE_SENDING - timedelta(seconds=1)))
    assert tx_of(delivery.fail_stale_sends) == 1
    with engine.connect() as conn:
        statuses = dict(conn.execute(sa.select(notifications.c.id, notifications.c.status)).all())
    assert statuses == {claimed[0]["id"]: "failed", claimed[1]["id"]: "sending"}


def test_a_retry_that_would_fall_in_quiet_hours_waits_for_the_morning(engine, tx_of):
    tx_of(sms, "event:night", to="+79005550005")
    (claimed,) = tx_of(delivery.claim_due, {"sms": 5})
    always_quiet_now = QuietHours.parse("00:00-23:59")
    tx_of(delivery.record_error, claimed, SendError("503: down", transient=True), MSK, always_quiet_now)
    with engine.connect() as conn:
        send_at = conn.execute(sa.select(notifications.c.send_at)).scalar_one()
    assert send_at.astimezone(__import__("zoneinfo").ZoneInfo(MSK)).strftime("%H:%M") == "23:59"
