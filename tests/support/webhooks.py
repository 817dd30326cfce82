"""Signing webhooks as the providers do: Twilio (with the twilio library), HMAC, Telegram."""
import hashlib
import hmac
import json

import requests
from twilio.request_validator import RequestValidator


def post_twilio(system, path: str, params: dict, token: str | None = None) -> requests.Response:
    url = f"{system.base_url}/api/v1{path}"
    signature = RequestValidator(token or system.secrets["twilio_auth_token"]).compute_signature(url, params)
    return requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)


def post_hmac(system, path: str, payload: dict, secret_name: str, secret: str | None = None) -> requests.Response:
    raw = json.dumps(payload, ensure_ascii=False).encode()
    key = (secret or system.secrets[secret_name]).encode()
    signature = "sha256=" + hmac.new(key, raw, hashlib.sha256).hexdigest()
    return requests.post(f"{system.base_url}/api/v1{path}", data=raw, timeout=30,
                         headers={"Content-Type": "application/json", "X-Signature": signature})


def post_telegram(system, update: dict, secret: str | None = None) -> requests.Response:
    return requests.post(f"{system.base_url}/api/v1/webhooks/telegram/clients", json=update, timeout=30,
                         headers={"X-Telegram-Bot-Api-Secret-Token": secret or system.secrets["telegram_webhook_secret"]})
