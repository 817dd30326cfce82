"""Every producer's example runs through every consumer that subscribes to it.

Subscriptions are read off the service classes themselves (their nameko event handlers),
so a new handler without a matching producer example fails here.
"""
import pytest
from nameko.containers import ServiceContainer
from nameko.events import EventHandler

from crm_deals import events as deals_events
from crm_leads import events as leads_events
from crm_notify import events as notify_events
from crm_notify.schemas import READINGS as NOTIFY_READINGS
from crm_notify.service import NotifyService
from crm_reports.readings import READINGS as REPORTS_READINGS
from crm_reports.service import ReportsService
from crm_scheduling import events as scheduling_events

PRODUCERS = {"leads": leads_events, "deals": deals_events, "scheduling": scheduling_events,
             "notify": notify_events}
CONSUMERS = {ReportsService: REPORTS_READINGS, NotifyService: NOTIFY_READINGS}

_BOOKING = scheduling_events.EXAMPLES["booking.created.v1"]
# Events a consumer subscribes to before their producer publishes an example: the shape agreed
# with the producer's team, read here until the producer's own example replaces it (then the
# entry must go: test_awaited_examples_are_still_missing fails).
AWAITED = {
    ("scheduling", "booking.rescheduled.v1"): {
        **_BOOKING, "starts_at": "2026-11-26T07:00:00+00:00", "ends_at": "2026-11-26T09:00:00+00:00",
        "previous_starts_at": _BOOKING["starts_at"], "previous_ends_at": _BOOKING["ends_at"],
        "reason": "Клиент попросил перенести", "client_name": "Анна Петрова", "client_phone": "+79005550202"},
    ("scheduling", "booking.cancelled.v1"): {
        **_BOOKING, "reason": "Клиент отказался", "client_name": "Анна Петрова", "client_phone": "+79005550202"},
}


def example_of(source: str, event_type: str) -> dict:
    return PRODUCERS[source].EXAMPLES.get(event_type) or AWAITED[(source, event_type)]


def subscriptions(service_cls) -> set[tuple[str, str]]:
    container = ServiceContainer(service_cls, {"AMQP_URI": "memory://"})
    return {(e.source_service, e.event_type) for e in container.entrypoints if isinstance(e, EventHandler)}


@pytest.mark.parametrize("producer, event_type", [
    (name, event_type) for name, module in PRODUCERS.items() for event_type in module.SCHEMAS])
def test_every_published_event_has_a_valid_example(producer, event_type):
    module = PRODUCERS[producer]
    example = module.EXAMPLES[event_type]
    assert module.SCHEMAS[event_type]().validate(example) == {}
    assert event_type.rsplit(".", 1)[1].startswith("v")


@pytest.mark.parametrize("consumer", CONSUMERS, ids=lambda cls: cls.name)
def test_every_subscription_reads_the_producers_example(consumer):
    readings = CONSUMERS[consumer]
    subscribed = subscriptions(consumer)
    assert subscribed, f"{consumer.name} subscribes to nothing"
    assert subscribed == set(readings), "each subscription needs a reading schema, and only those"
    for source, event_type in subscribed:
        example = example_of(source, event_type)
        readings[(source, event_type)]().load(example)
        readings[(source, event_type)]().load({**example, "a_field_added_later": 1})


def test_awaited_examples_are_still_missing():
    for source, event_type in AWAITED:
        assert event_type not in PRODUCERS[source].EXAMPLES, (
            f"{source} now publishes an example of {event_type}: delete it from AWAITED")
