"""Every webhook is declared in one module and refused unless its sender proves who it is;
the client bot's and the staff bot's secrets each open only their own route. The gateway's
webhook routes run in-process here, their services replaced by a recorder."""
import asyncio
import json
from typing import NamedTuple

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from twilio.request_validator import RequestValidator

from crm_gateway.api import wrap
from crm_gateway.app import request_id_middleware
from crm_gateway.context import RPC, SETTINGS
from crm_gateway.errors import error_middleware
from crm_gateway.openapi import BASE_PATH
from crm_gateway.routes import ALL, webhooks
from crm_gateway.settings import Settings
from crm_gateway.webhook_guards import hmac_signature

# The gateway keeps per-request values under str keys (request["user"], ...), where aiohttp
# advises web.RequestKey; serving the routes in-process must not fail on that advice.
pytestmark = pytest.mark.filterwarnings(
    "ignore:It is recommended to use web.RequestKey:aiohttp.web_exceptions.NotAppKeyWarning")
PUBLIC_URL = "https://crm.example.ru"
SETTINGS_FOR_TESTS = Settings(
    public_url=PUBLIC_URL, form_sites={"site-main": "form-secret", "site-okna": "okna-secret"},
    twilio_auth_token="twilio-token", pbx_secret="pbx-secret", email_secret="email-secret",
    telegram_client_bot_secret="client-bot-secret", telegram_staff_bot_secret="staff-bot-secret")
ANSWERS = {"telegram_update": {"replied": True}, "record_provider_status": {"id": 7, "status": "sent"}}


class RecordingRpc:
    def __init__(self):
        self.calls: list[str] = []

    async def call(self, service: str, method: str, *, context: dict, timeout: float | None, **kwargs):
        self.calls.append(f"{service}.{method}")
        return ANSWERS.get(method, {"id": 1, "duplicate": False})


class Answer(NamedTuple):
    status: int
    body: dict
    calls: list[str]  # the services' methods the gateway called

    @property
    def outcome(self) -> tuple[int, list[str]]:
        return self.status, self.calls


def post(path: str, *, settings: Settings = SETTINGS_FOR_TESTS, **request) -> Answer:
    """One POST to the gateway's webhooks."""
    async def run():
        app = web.Application(middlewares=[request_id_middleware, error_middleware])
        app[SETTINGS], app[RPC] = settings, RecordingRpc()
        for endpoint in webhooks.routes.endpoints:
            app.router.add_route(endpoint.method, BASE_PATH + endpoint.path, wrap(endpoint))
        async with TestClient(TestServer(app)) as client:
            response = await client.post(BASE_PATH + path, **request)
            body = await response.json(content_type=None) if response.content_type == "application/json" else {}
            return Answer(response.status, body, app[RPC].calls)

    return asyncio.run(run())


def hmac_post(path: str, payload: dict, secret: str, **headers) -> Answer:
    raw = json.dumps(payload).encode()
    return post(path, data=raw, headers={"Content-Type": "application/json",
                                         "X-Signature": hmac_signature(secret, raw), **headers})


def twilio_post(path: str, form: dict, token: str = "twilio-token", url: str | None = None) -> Answer:
    signature = RequestValidator(token).compute_signature(url or PUBLIC_URL + BASE_PATH + path, form)
    return post(path, data=form, headers={"X-Twilio-Signature": signature})


def telegram_post(path: str, secret: str) -> Answer:
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 5}, "from": {"id": 5},
                                          "text": "/deals"}}
    return post(path, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})


WEBHOOK_PATHS = sorted(endpoint.path for endpoint in webhooks.routes.endpoints)


def test_every_webhook_is_declared_in_the_webhooks_module():
    declared = {endpoint.path for routes in ALL for endpoint in routes.endpoints
                if endpoint.path.startswith("/webhooks")}
    assert declared == set(WEBHOOK_PATHS) == {
        "/webhooks/forms/{site}", "/webhooks/pbx", "/webhooks/email", "/webhooks/twilio/voice",
        "/webhooks/twilio/messages", "/webhooks/twilio/status", "/webhooks/telegram/clients", "/webhooks/telegram"}


@pytest.mark.parametrize("path", WEBHOOK_PATHS)
def test_an_unsigned_webhook_is_refused_before_any_service_hears_of_it(path):
    answer = post(path.replace("{site}", "site-main"), json={"update_id": 1})
    assert (answer.status, answer.body["error"], answer.calls) == (403, "forbidden", [])


@pytest.mark.parametrize("path", WEBHOOK_PATHS)
def test_a_webhook_whose_secret_is_not_configured_refuses_everyone(path):
    answer = post(path.replace("{site}", "site-main"), settings=Settings(public_url=PUBLIC_URL),
                  data=b"{}", headers={"X-Signature": hmac_signature("", b"{}"), "X-Telegram-Bot-Api-Secret-Token": "",
                                       "X-Twilio-Signature": ""})
    assert answer.outcome == (403, [])


def test_each_telegram_bot_is_opened_by_its_own_secret_only():
    recorded, answered = (200, ["leads.record_communication"]), (200, ["notify.telegram_update"])
    assert telegram_post("/webhooks/telegram/clients", "client-bot-secret").outcome == recorded
    assert telegram_post("/webhooks/telegram", "staff-bot-secret").outcome == answered
    assert telegram_post("/webhooks/telegram", "client-bot-secret").outcome == (403, [])
    assert telegram_post("/webhooks/telegram/clients", "staff-bot-secret").outcome == (403, [])


def test_hmac_webhooks_take_only_their_own_secret_over_the_exact_body():
    lead = {"name": "Анна", "phone": "+79001234567"}
    recorded = (201, ["leads.record_communication"])
    assert hmac_post("/webhooks/forms/site-main", lead, "form-secret").outcome == (201, ["leads.intake_web_form"])
    assert hmac_post("/webhooks/forms/site-main", lead, "okna-secret").outcome == (403, [])  # another site's
    assert hmac_post("/webhooks/forms/elsewhere", lead, "form-secret").outcome == (403, [])  # an unknown site
    assert hmac_post("/webhooks/pbx", {"call_id": "c1"}, "pbx-secret").outcome == recorded
    assert hmac_post("/webhooks/pbx", {"call_id": "c1"}, "email-secret").outcome == (403, [])
    assert hmac_post("/webhooks/email", {"message_id": "m1"}, "email-secret").outcome == recorded
    raw = json.dumps(lead).encode()
    tampered = post("/webhooks/forms/site-main", data=raw + b" ",
                    headers={"X-Signature": hmac_signature("form-secret", raw)})
    assert tampered.outcome == (403, [])


def test_a_signature_header_that_is_not_ascii_is_refused_not_a_server_error():
    assert post("/webhooks/pbx", data=b"{}", headers={"X-Signature": "sha256=подпись"}).outcome == (403, [])
    staff_bot = post("/webhooks/telegram", json={}, headers={"X-Telegram-Bot-Api-Secret-Token": "секрет"})
    assert staff_bot.outcome == (403, [])


def test_twilio_signs_the_public_url_and_the_form_with_the_auth_token():
    form = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    delivered = twilio_post("/webhooks/twilio/status", form)
    assert (delivered.status, delivered.body) == (200, {"id": 7, "status": "sent"})
    assert twilio_post("/webhooks/twilio/status", form, token="guessed").outcome == (403, [])
    internal = "http://127.0.0.1:8080" + BASE_PATH + "/webhooks/twilio/status"
    assert twilio_post("/webhooks/twilio/status", form, url=internal).outcome == (403, [])
    assert twilio_post("/webhooks/twilio/status", {"MessageSid": "SM1"}).outcome == (400, [])  # signed, incomplete
    assert twilio_post("/webhooks/twilio/messages", {"From": "+79001234567", "Body": "Привет"}).outcome == (
        200, ["leads.record_communication"])
