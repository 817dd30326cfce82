"""The chassis' unit of work settles what a change recorded before it commits (no database: a stand-in
session records what would be committed or rolled back)."""
import pytest

from crm_chassis.db import Database, UnitOfWork, UnsettledFacts


class FakeNested:
    def __init__(self, log: list):
        self.log = log

    def commit(self):
        self.log.append("release savepoint")

    def rollback(self):
        self.log.append("rollback to savepoint")


class FakeSession:
    def __init__(self, log: list):
        self.log = log
        self.info = {}

    def begin_nested(self):
        self.log.append("savepoint")
        return FakeNested(self.log)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_):
        self.log.append("rollback" if exc_type else "commit")


class FakeSessionmaker:
    def __init__(self):
        self.log: list = []

    def begin(self):
        return FakeSession(self.log)


def unit_of_work(before_commit=None) -> tuple[UnitOfWork, list]:
    provider = Database(before_commit=before_commit)
    provider.service_name = "probe"
    provider.sessionmaker = FakeSessionmaker()
    return UnitOfWork(provider), provider.sessionmaker.log


def drain(tx) -> None:
    """A before-commit step: settles each fact in order; a "cause" fact records its consequence."""
    while (fact := tx.next_recorded()) is not None:
        tx.session.log.append(f"settled {fact}")
        if fact == "cause":
            tx.record("consequence")


def test_what_a_change_records_is_settled_in_order_before_the_commit():
    db, log = unit_of_work(drain)

    def change(tx):
        tx.record("cause")
        tx.record("second")
        log.append("changed")
        return "result"

    assert db.transaction(change) == "result"
    assert log == ["changed", "settled cause", "settled second", "settled consequence", "commit"]


def test_a_change_that_records_nothing_does_not_call_the_step():
    calls = []
    db, log = unit_of_work(calls.append)
    db.transaction(lambda tx: log.append("changed"))
    assert calls == [] and log == ["changed", "commit"]


def test_a_recorded_fact_without_a_step_to_settle_it_fails_the_transaction():
    db, log = unit_of_work(before_commit=None)
    with pytest.raises(UnsettledFacts, match="'cause'"):
        db.transaction(lambda tx: tx.record("cause"))
    assert log == ["rollback"]


def test_a_step_that_leaves_facts_behind_fails_the_transaction():
    db, log = unit_of_work(before_commit=lambda tx: None)
    with pytest.raises(UnsettledFacts):
        db.transaction(lambda tx: tx.record("cause"))
    assert log == ["rollback"]


def test_a_failed_savepoint_takes_back_the_facts_recorded_in_it_and_keeps_the_earlier_ones():
    db, log = unit_of_work(drain)

    def change(tx):
        tx.record("before")
        with pytest.raises(ValueError):
            with tx.savepoint():
                tx.record("inside")
                raise ValueError("refused")
        with tx.savepoint():
            tx.record("kept")

    db.transaction(change)
    assert log == ["savepoint", "rollback to savepoint", "savepoint", "release savepoint",
                   "settled before", "settled kept", "commit"]


def test_a_rehearsal_is_always_undone_with_what_it_recorded():
    db, log = unit_of_work(drain)

    def rehearse(tx):
        with tx.savepoint(undo=True):
            tx.record("rehearsed")
        return tx.has_recorded

    assert db.transaction(rehearse) is False
    assert log == ["savepoint", "rollback to savepoint", "commit"]
