"""Every producer's example runs through every consumer that subscribes to it.

Subscriptions are read off the service classes themselves (their nameko event handlers),
so a new handler without a matching producer example fails here.
"""
import pytest
from nameko.containers import ServiceContainer
from nameko.events import EventHandler

from crm_deals import events as deals_events
from crm_deals.schemas import READINGS as DEALS_READINGS
from crm_deals.service import DealsService
from crm_leads import events as leads_events
from crm_leads.readings import READINGS as LEADS_READINGS
from crm_leads.service import LeadsService
from crm_notify import events as notify_events
from crm_notify.schemas import READINGS as NOTIFY_READINGS
from crm_notify.service import NotifyService
from crm_reports.readings import READINGS as REPORTS_READINGS
from crm_reports.service import ReportsService
from crm_scheduling import events as scheduling_events
from crm_scheduling.schemas import READINGS as SCHEDULING_READINGS
from crm_scheduling.service import SchedulingService

PRODUCERS = {"leads": leads_events, "deals": deals_events, "scheduling": scheduling_events,
             "notify": notify_events}
CONSUMERS = {ReportsService: REPORTS_READINGS, NotifyService: NOTIFY_READINGS, LeadsService: LEADS_READINGS,
             DealsService: DEALS_READINGS, SchedulingService: SCHEDULING_READINGS}

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
        example = PRODUCERS[source].EXAMPLES[event_type]
        readings[(source, event_type)]().load(example)
        readings[(source, event_type)]().load({**example, "a_field_added_later": 1})

