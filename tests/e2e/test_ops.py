"""The operator's dashboard through the gateway: every service's status, version, queues,
parked events and rates, and a service that is stopped shows as down (queue facts come from
the broker over AMQP here: the local RabbitMQ runs without its management plugin)."""
import random
import uuid

import requests

from crm_chassis.events import make_envelope
from crm_deals import events as deals_events
from tests.support.system import eventually, publish_event

SERVICES = {"leads", "deals", "scheduling", "notify", "reports"}


def ops(system) -> dict:
    response = system.admin.get("/admin/ops")
    assert response.status_code == 200, response.text
    return response.json()


def by_service(body: dict) -> dict[str, dict]:
    return {service["service"]: service for service in body["services"]}


def park_an_event_in_reports(system) -> None:
    broken = {**deals_events.EXAMPLES["deal.created.v1"], "deal_id": random.randint(10**9, 2 * 10**9)}
    del broken["amount"]
    publish_event(system, make_envelope("deal.created.v1", broken, "deals", None))


def test_admin_sees_every_service_with_its_version_queues_and_parked_events(system):
    park_an_event_in_reports(system)
    versions = {answer["service"]: answer["version"]
                for answer in system.anonymous().get(f"{system.base_url}/health").json()["services"]}

    def parked_counts_agree():
        parked = system.admin.get("/admin/parked-events").json()
        services = by_service(ops(system))
        counts = {name: service["parked_events"] for name, service in services.items()}
        return counts["reports"] >= 1 and counts == {name: len(events) for name, events in parked.items()} and services

    services = eventually(parked_counts_agree)
    assert set(services) == SERVICES
    for name, service in services.items():
        assert service["status"] == "ok" and service["error"] is None, service
        assert service["version"] == versions[name] and service["version"] not in ("", "unknown")
        assert isinstance(service["outbox_backlog"], int) and service["process"]["pid"] > 0
        queues = {queue["name"]: queue for queue in service["queues"]}
        assert f"rpc-{name}" in queues
        for queue in queues.values():
            assert queue["consumers"] >= 1 and queue["depth"] >= 0, queue
            assert queue["publish_per_second"] is None  # RabbitMQ's rates need its management API
    assert "evt-deals-deal.created.v1--reports.apply_deal_created_v1" in {q["name"] for q in services["reports"]["queues"]}


def test_the_dashboard_says_where_queue_facts_and_rates_come_from(system):
    body = ops(system)
    assert body["gateway"]["status"] == "ok" and body["gateway"]["version"]
    assert body["broker"] == {"source": "amqp", "status": "ok"}
    assert set(body["rates"]) == {"services", "queues"}


def test_event_rates_come_from_two_looks_at_a_process(system):
    ops(system)  # a first look at every process
    phone = f"+79{uuid.uuid4().int % 10**9:09d}"
    response = system.post_form("site-main", {"name": "Клиент", "phone": phone, "submission_id": uuid.uuid4().hex})
    assert response.status_code == 201, response.text

    def leads_published():
        rates = by_service(ops(system))["leads"]["rates"]
        return rates and rates["events_published_per_second"] > 0 and rates

    rates = eventually(leads_published)
    assert rates["window_seconds"] > 0 and rates["events_handled_per_second"] >= 0


def test_only_an_admin_sees_the_dashboard(system):
    assert system.user("operator").get("/admin/ops").status_code == 403
    assert system.user("head_of_sales").get("/admin/ops").status_code == 403
    assert system.anonymous().get("/admin/ops").status_code == 401


def test_a_stopped_service_shows_as_down_with_its_queue_left_without_consumers(system):
    ops(system)  # the gateway learns scheduling's queues while it answers
    system.kill("scheduling")
    try:
        scheduling = by_service(ops(system))["scheduling"]
        assert scheduling["status"] == "down" and scheduling["error"] and scheduling["version"] is None
        assert scheduling["rates"] is None
        queues = {queue["name"]: queue for queue in scheduling["queues"]}
        assert queues["rpc-scheduling"]["consumers"] == 0
        assert len(queues) > 1  # its event queues too, as it last reported them
    finally:
        system.restart("scheduling")
    assert by_service(ops(system))["scheduling"]["status"] == "ok"


def test_the_gateway_metrics_are_for_an_admin_or_the_scraper(system):
    response = system.admin.get("/metrics")
    assert response.status_code == 200 and "crm_gateway_requests_total" in response.text
    assert system.user("operator").get("/metrics").status_code == 403
    assert system.anonymous().get("/metrics").status_code == 401
    scraper = requests.get(f"{system.base_url}/api/v1/metrics", timeout=10,
                           headers={"Authorization": f"Bearer {system.env['GATEWAY_METRICS_TOKEN']}"})
    assert scraper.status_code == 200 and "crm_gateway_requests_total" in scraper.text
