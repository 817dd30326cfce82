"""Every producer's example runs through every consumer that subscribes to it.

The registry is the consumers' handlers themselves: every nameko event handler found on a
service class (reports' generated ones by the same search) must be an `on_event` handler
with a reading kept in the service's readings.py, and that reading must load the producer's
example, ignoring fields added later.
"""
import pytest
from nameko.containers import ServiceContainer
from nameko.events import EventHandler

from crm_chassis.events import Reading
from crm_deals import events as deals_events
from crm_deals.service import DealsService
from crm_leads import events as leads_events
from crm_leads.service import LeadsService
from crm_notify import events as notify_events
from crm_notify.service import NotifyService
from crm_reports.readings import AUDITED_PRODUCERS, READINGS as REPORTS_READINGS
from crm_reports.service import ReportsService
from crm_scheduling import events as scheduling_events
from crm_scheduling.service import SchedulingService

PRODUCERS = {"leads": leads_events, "deals": deals_events, "scheduling": scheduling_events,
             "notify": notify_events}
ALL_EVENTS = "#"
CONSUMERS = (LeadsService, DealsService, SchedulingService, NotifyService, ReportsService)


def event_handlers(service_cls) -> list[EventHandler]:
    container = ServiceContainer(service_cls, {"AMQP_URI": "memory://"})
    return [entrypoint for entrypoint in container.entrypoints if isinstance(entrypoint, EventHandler)]


HANDLERS = [(service_cls, handler) for service_cls in CONSUMERS for handler in event_handlers(service_cls)]


@pytest.mark.parametrize("producer, event_type", [
    (name, event_type) for name, module in PRODUCERS.items() for event_type in module.SCHEMAS])
def test_every_published_event_has_a_valid_example(producer, event_type):
    module = PRODUCERS[producer]
    example = module.EXAMPLES[event_type]
    assert module.SCHEMAS[event_type]().validate(example) == {}
    assert event_type.rsplit(".", 1)[1].startswith("v")


@pytest.mark.parametrize("consumer", CONSUMERS, ids=lambda cls: cls.name)
def test_every_consumer_subscribes_to_something(consumer):
    assert event_handlers(consumer), f"{consumer.name} subscribes to nothing"


@pytest.mark.parametrize("consumer, handler", HANDLERS,
                         ids=lambda arg: arg.name if isinstance(arg, type) else arg.method_name)
def test_every_handler_reads_its_producers_example(consumer, handler):
    reading = getattr(getattr(consumer, handler.method_name), "crm_reading", None)
    assert reading is not None, "an event handler is declared with on_event and its reading"
    assert issubclass(reading, Reading) and reading.__module__ == f"crm_{consumer.name}.readings"
    examples = PRODUCERS[handler.source_service].EXAMPLES
    bound = examples if handler.event_type == ALL_EVENTS else [handler.event_type]
    for event_type in bound:
        example = examples[event_type]
        assert reading().load({**example, "a_field_added_later": 1}) == reading().load(example)


def test_reports_generated_handlers_are_found_like_any_other():
    found = {(handler.source_service, handler.event_type) for service_cls, handler in HANDLERS
             if service_cls is ReportsService and handler.event_type != ALL_EVENTS}
    # every projected event, plus the erasure, which reports applies to its stores without keeping it
    assert found == set(REPORTS_READINGS) | {("leads", "contact.erased.v1")}


def test_the_audit_hears_every_event_of_every_producer():
    """One handler per producer bound to `#` (a topic exchange's every routing key)."""
    audited = {handler.source_service for service_cls, handler in HANDLERS
               if service_cls is ReportsService and handler.event_type == ALL_EVENTS}
    assert audited == set(PRODUCERS) == set(AUDITED_PRODUCERS)
