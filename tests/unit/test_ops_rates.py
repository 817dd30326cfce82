"""The ops dashboard's pure pieces: rates from two samples, and queue facts out of RabbitMQ's
management API listing."""
from crm_gateway.queues import MISSING, management_facts
from crm_gateway.rates import MAX_WINDOW_SECONDS, CounterRates, Sample, per_second


def test_a_rate_is_the_counter_difference_over_the_window():
    rate = per_second(Sample(10.0, {"sent": 5, "handled": 0}), Sample(14.0, {"sent": 15, "handled": 2}))
    assert rate == {"sent_per_second": 2.5, "handled_per_second": 0.5, "window_seconds": 4.0}


def test_no_rate_without_a_previous_sample_or_when_a_counter_went_back():
    assert per_second(None, Sample(1.0, {"sent": 1})) is None
    assert per_second(Sample(1.0, {"sent": 9}), Sample(2.0, {"sent": 3})) is None  # a new process
    assert per_second(Sample(1.0, {"sent": 1}), Sample(1.0, {"sent": 2})) is None
    assert per_second(Sample(1.0, {"sent": 1}), Sample(2.0, {"other": 2})) is None


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_each_process_is_compared_with_its_own_previous_sample():
    clock = Clock()
    rates = CounterRates(clock)
    assert rates.update(("leads", "pod-a"), {"sent": 0}) is None
    assert rates.update(("leads", "pod-b"), {"sent": 100}) is None
    clock.now += 2
    assert rates.update(("leads", "pod-a"), {"sent": 4}) == {"sent_per_second": 2.0, "window_seconds": 2.0}
    clock.now += 8
    assert rates.update(("leads", "pod-b"), {"sent": 110}) == {"sent_per_second": 1.0, "window_seconds": 10.0}


def test_a_sample_older_than_the_longest_window_is_forgotten():
    clock = Clock()
    rates = CounterRates(clock)
    rates.update("leads", {"sent": 0})
    clock.now += MAX_WINDOW_SECONDS + 1
    assert rates.update("leads", {"sent": 50}) is None
    clock.now += 5
    assert rates.update("leads", {"sent": 60}) == {"sent_per_second": 2.0, "window_seconds": 5.0}


def test_management_listing_gives_depth_consumers_and_rabbitmqs_rates():
    listing = [
        {"name": "rpc-leads", "messages_ready": 3, "consumers": 2,
         "message_stats": {"publish_details": {"rate": 1.5}, "deliver_get_details": {"rate": 1.2}}},
        {"name": "evt-leads-lead.created.v1--reports.count", "messages_ready": 0, "consumers": 1},
        {"name": "someone-elses", "messages_ready": 9, "consumers": 0},
    ]
    facts = management_facts(listing, ["rpc-leads", "evt-leads-lead.created.v1--reports.count", "rpc-gone"])
    assert facts == {
        "rpc-leads": {"depth": 3, "consumers": 2, "publish_per_second": 1.5, "deliver_per_second": 1.2},
        "evt-leads-lead.created.v1--reports.count": {"depth": 0, "consumers": 1, "publish_per_second": 0.0,
                                                     "deliver_per_second": 0.0},
        "rpc-gone": MISSING,
    }
