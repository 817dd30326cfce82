import json

import pytest

from crm_gateway.api import openapi_path
from crm_gateway.errors import BadGateway, Conflict, InvalidInput, NotFound, from_remote
from crm_gateway.rpc.nameko_amqp import RemoteError
from crm_gateway.rpc.wire import decode_body
from crm_gateway.settings import Settings


def test_kombu_typed_markers_arrive_as_plain_json_values():
    body = json.dumps({"result": {"amount": {"__type__": "decimal", "__value__": "1.10"},
                                  "at": {"__type__": "datetime", "__value__": "2024-01-02T03:04:05"},
                                  "plain": {"__type__": "x"}}, "error": None}).encode()
    assert decode_body(body)["result"] == {"amount": "1.10", "at": "2024-01-02T03:04:05", "plain": {"__type__": "x"}}


@pytest.mark.parametrize("exc_type, expected, status", [
    ("InvalidInput", InvalidInput, 400), ("NotFound", NotFound, 404), ("Conflict", Conflict, 409),
])
def test_service_errors_map_to_http_with_their_details(exc_type, expected, status):
    error = from_remote(RemoteError(exc_type, f"crm_chassis.errors.{exc_type}",
                                    ["invalid input", '{"name": ["required"], "lead_id": 5}'], "..."))
    assert isinstance(error, expected) and error.status == status
    assert error.details == {"name": ["required"], "lead_id": 5}


def test_unexpected_remote_errors_do_not_leak_their_text():
    error = from_remote(RemoteError("KeyError", "builtins.KeyError", ["secret"], "'secret'"))
    assert isinstance(error, BadGateway) and "secret" not in json.dumps(error.details) + error.message


def test_route_patterns_become_openapi_paths():
    assert openapi_path("/deals/{deal_id:\\d{1,18}}/move") == ("/deals/{deal_id}/move", ["deal_id"])
    assert openapi_path("/webhooks/forms/{site}") == ("/webhooks/forms/{site}", ["site"])


def test_form_sites_come_from_one_variable():
    settings = Settings.from_env({"CRM_FORM_SITES": "site-a=s1, site-b=s2"})
    assert settings.form_sites == {"site-a": "s1", "site-b": "s2"}
    with pytest.raises(ValueError):
        Settings.from_env({"CRM_FORM_SITES": "site-a"})


def test_live_updates_go_to_their_recipient_and_incoming_communications_to_those_who_take_calls():
    from crm_gateway.live import COMMUNICATION, NOTIFICATION, LiveUpdates
    from crm_leads.events import EXAMPLES

    live = LiveUpdates("amqp://unused")
    with live.subscribe(3, "operator") as operator, live.subscribe(4, "crew_member") as crew, \
            live.subscribe(5, "controller") as controller:
        item, queues = live._route(NOTIFICATION, {"id": 9, "recipient": "user:4", "body": "Новый выезд"})
        assert (item.event, item.id, queues) == ("notification", 9, {crew})
        incoming = EXAMPLES[COMMUNICATION]
        item, queues = live._route(COMMUNICATION, incoming)
        assert (item.event, item.id, queues) == ("communication", incoming["communication_id"], {operator})
        assert live._route(COMMUNICATION, {**incoming, "direction": "out"}) == (None, set())
        assert controller not in live.call_takers
    assert live.by_recipient == {} and live.call_takers == set()
