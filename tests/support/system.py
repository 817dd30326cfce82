"""Driving the running system from tests: the local runner's test profile and an HTTP client."""
import hashlib
import hmac
import importlib.util
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "deploy" / "local" / "crm_local.py"
PROFILE = "test"


def _runner_module():
    spec = importlib.util.spec_from_file_location("crm_local", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def runner(what: str):
    """Read-only facts from the runner: `addresses`, `env` or `db_prefix` of the test profile."""
    module = _runner_module()
    if what == "db_prefix":
        return module.PROFILES[PROFILE]["db_prefix"]
    return module.addresses(PROFILE) if what == "addresses" else module.crm_env(PROFILE)


def run_runner(*args: str) -> None:
    subprocess.run([sys.executable, str(RUNNER), *args, "--profile", PROFILE], check=True, cwd=ROOT)


class Client:
    """A user of the public API."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        url = path if path.startswith("http") else f"{self.base_url}/api/v1{path}"
        return self.session.request(method, url, timeout=30, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs) -> requests.Response:
        return self.request("PATCH", path, **kwargs)


class System:
    def __init__(self, base_url: str, secrets: dict):
        self.base_url = base_url
        self.secrets = secrets
        self.admin = self.log_in("admin", secrets["admin_password"])
        module = _runner_module()
        self.env = module.crm_env(PROFILE)
        self.providers = module.fake_providers_url(PROFILE)

    @classmethod
    def start(cls) -> "System":
        run_runner("stop")
        run_runner("reset")
        run_runner("setup")
        run_runner("start")
        run_runner("wait")
        module = _runner_module()
        env = {**module.process_env(PROFILE), "CRM_USER_PASSWORD": module.local_secrets(PROFILE)["admin_password"]}
        subprocess.run([str(module.BIN / "crm-gateway"), "create-user", "admin", "--full-name", "Администратор",
                        "--role", "admin"], check=True, env=env)
        return cls(module.gateway_url(PROFILE), module.local_secrets(PROFILE))

    def stop(self) -> None:
        run_runner("stop")

    def kill(self, *names: str) -> None:
        run_runner("kill", *names)

    def restart(self, *names: str) -> None:
        run_runner("start", *names)
        run_runner("wait")

    def anonymous(self) -> Client:
        return Client(self.base_url)

    def log_in(self, login: str, password: str) -> Client:
        response = requests.post(f"{self.base_url}/api/v1/auth/login",
                                 json={"login": login, "password": password}, timeout=30)
        assert response.status_code == 200, response.text
        return Client(self.base_url, response.json()["token"])

    def user(self, role: str) -> Client:
        """A fresh user with this role, logged in."""
        login = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
        password = uuid.uuid4().hex
        response = self.admin.post("/users", json={"login": login, "full_name": f"Тест {role}",
                                                   "role": role, "password": password})
        assert response.status_code == 201, response.text
        return self.log_in(login, password)

    def post_form(self, site: str, form: dict, secret: str | None = None) -> requests.Response:
        raw = json.dumps(form, ensure_ascii=False).encode()
        key = (secret or self.secrets["form_sites"][site]).encode()
        signature = "sha256=" + hmac.new(key, raw, hashlib.sha256).hexdigest()
        return requests.post(f"{self.base_url}/api/v1/webhooks/forms/{site}", data=raw, timeout=30,
                             headers={"Content-Type": "application/json", "X-Signature": signature})


def eventually(check, timeout: float = 15.0, interval: float = 0.2):
    """Poll `check` until it returns a truthy value (events take a moment to flow)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s; last value: {result!r}")
        time.sleep(interval)


# -- the fake message providers and the events other services publish -----------------------

def provider_records(system: System, provider: str, to: str) -> list[dict]:
    """What the fake provider (twilio, smtp, telegram) received for this recipient."""
    response = requests.get(f"{system.providers}/records", params={"provider": provider, "to": to}, timeout=10)
    response.raise_for_status()
    return response.json()


def provider_fault(system: System, to: str, status: int, code: int | None = None, message: str | None = None,
                   times: int | None = None) -> None:
    requests.post(f"{system.providers}/faults", json={"to": to, "status": status, "code": code,
                                                      "message": message, "times": times},
                  timeout=10).raise_for_status()


def provider_outcome(system: System, to: str, statuses: list[str]) -> None:
    """Make the fake Twilio report these statuses to the message's signed status callback."""
    requests.post(f"{system.providers}/outcomes", json={"to": to, "statuses": statuses},
                  timeout=10).raise_for_status()


def twilio_callback(system: System, form: dict, token: str | None = None) -> requests.Response:
    """A status callback as Twilio posts it: signed over the public URL and the form."""
    from twilio.request_validator import RequestValidator

    url = f"{system.env['GATEWAY_PUBLIC_URL']}/api/v1/webhooks/twilio/status"
    signature = RequestValidator(token or system.env["TWILIO_AUTH_TOKEN"]).compute_signature(url, form)
    return requests.post(f"{system.base_url}/api/v1/webhooks/twilio/status", data=form, timeout=30,
                         headers={"X-Twilio-Signature": signature})


def publish_event(system: System, envelope: dict) -> None:
    """Publish an event as its producer's outbox relay does (exchange `<producer>.events`)."""
    from kombu import Exchange
    from nameko.amqp.publish import Publisher

    from crm_chassis.events import exchange_name

    exchange = Exchange(exchange_name(envelope["producer"]), type="topic", durable=True)
    Publisher(system.env["AMQP_URI"], declare=[exchange]).publish(
        envelope, exchange=exchange, routing_key=envelope["event_type"])
