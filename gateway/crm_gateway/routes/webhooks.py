"""Webhooks from outside: each authenticated by its own signature, answered 2xx once durable.

Leads commits what it was told before it answers, so a 2xx means the content is stored; a
provider's retry of the same event (same call, message or submission id) changes nothing.
"""
import hashlib
import hmac
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from aiohttp import web
from twilio.request_validator import RequestValidator

from crm_gateway.api import SIGNED, Routes, call, json_response, read_json
from crm_gateway.context import SETTINGS
from crm_gateway.errors import Forbidden, InvalidInput

routes = Routes("webhooks")
SIGNATURE_HEADER = "X-Signature"
SIGNED_HOW = "X-Signature: sha256=HMAC-SHA256(secret, raw body)"
STOP_WORDS = ("STOP", "СТОП", "ОТПИСАТЬСЯ", "UNSUBSCRIBE")
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def hmac_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def signed_json(request: web.Request, secret: str | None) -> dict:
    """The JSON object of a request signed with `secret`; 403 when the signature is wrong."""
    raw = await request.read()
    if not secret or not hmac.compare_digest(request.headers.get(SIGNATURE_HEADER, ""), hmac_signature(secret, raw)):
        raise Forbidden("unknown sender or bad signature")
    payload = await read_json(request)
    if not isinstance(payload, dict):
        raise InvalidInput("the body must be a JSON object", {"body": ["must be an object"]})
    return payload


async def twilio_form(request: web.Request) -> dict:
    """Twilio's form parameters, checked with the twilio library against the public URL."""
    form = await request.post()
    token = request.app[SETTINGS].twilio_auth_token
    url = request.app[SETTINGS].public_url + request.rel_url.path_qs
    if not token or not RequestValidator(token).validate(url, form, request.headers.get("X-Twilio-Signature", "")):
        raise Forbidden("bad Twilio signature")
    return {key: form[key] for key in form}


def twiml() -> web.Response:
    return web.Response(text=TWIML_EMPTY, content_type="text/xml")


def _twilio_time(form: dict) -> str:
    try:
        return parsedate_to_datetime(form["Timestamp"]).isoformat()
    except (KeyError, TypeError, ValueError):
        return datetime.now(UTC).isoformat()


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


@routes.post("/webhooks/forms/{site}", roles=SIGNED, summary=f"A request from a web form; {SIGNED_HOW}")
async def web_form(request: web.Request) -> web.Response:
    site = request.match_info["site"]
    form = await signed_json(request, request.app[SETTINGS].form_sites.get(site))
    lead = await call(request, "leads", "intake_web_form", form={**form, "site": site})
    return json_response(lead, status=200 if lead.pop("duplicate") else 201)


@routes.post("/webhooks/twilio/voice", roles=SIGNED,
             summary="Twilio Voice status callback (form-encoded, X-Twilio-Signature)")
async def twilio_voice(request: web.Request) -> web.Response:
    form = await twilio_form(request)
    await call(request, "leads", "record_communication", item={
        "channel": "call", "source": "twilio", "external_id": form.get("CallSid", ""),
        "direction": "in" if form.get("Direction", "inbound") == "inbound" else "out",
        "provider_status": form.get("CallStatus", ""), "from": form.get("From", ""), "to": form.get("To", ""),
        "from_name": form.get("CallerName") or None,
        "duration_seconds": _int(form.get("CallDuration") or form.get("RecordingDuration")),
        "recording_url": form.get("RecordingUrl") or None, "occurred_at": _twilio_time(form),
    })
    return twiml()


@routes.post("/webhooks/twilio/messages", roles=SIGNED,
             summary="An inbound SMS or WhatsApp message from Twilio (form-encoded, X-Twilio-Signature)")
async def twilio_message(request: web.Request) -> web.Response:
    form = await twilio_form(request)
    sender, recipient = form.get("From", ""), form.get("To", "")
    whatsapp = sender.startswith("whatsapp:")
    channel = "whatsapp" if whatsapp else "sms"
    if form.get("Body", "").strip().upper() in STOP_WORDS:  # the client wants no more messages here
        await call(request, "notify", "opt_out", channel=channel, address=sender.removeprefix("whatsapp:"))
    await call(request, "leads", "record_communication", item={
        "channel": channel, "source": "twilio", "external_id": form.get("MessageSid", ""),
        "direction": "in", "provider_status": "received", "from": sender.removeprefix("whatsapp:"),
        "to": recipient.removeprefix("whatsapp:"), "from_name": form.get("ProfileName") or None,
        "body": form.get("Body", ""), "occurred_at": datetime.now(UTC).isoformat(),
    })
    return twiml()


@routes.post("/webhooks/pbx", roles=SIGNED,
             summary="A call event from the office PBX (e.g. Asterisk): {call_id, direction: in|out, from, to, "
                     f"status, duration, recording_url, started_at}}; {SIGNED_HOW}")
async def pbx_call(request: web.Request) -> web.Response:
    event = await signed_json(request, request.app[SETTINGS].pbx_secret)
    result = await call(request, "leads", "record_communication", item={
        "channel": "call", "source": "pbx", "external_id": str(event.get("call_id", "")),
        "direction": event.get("direction"), "provider_status": str(event.get("status", "")),
        "from": event.get("from"), "to": event.get("to", ""), "from_name": event.get("caller_name"),
        "duration_seconds": event.get("duration"), "recording_url": event.get("recording_url"),
        "occurred_at": event.get("started_at"),
    })
    return json_response(result, status=200 if result.pop("duplicate") else 201)


@routes.post("/webhooks/telegram/clients", roles=SIGNED,
             summary="A Telegram bot update from a client (X-Telegram-Bot-Api-Secret-Token)")
async def telegram_update(request: web.Request) -> web.Response:
    secret = request.app[SETTINGS].telegram_webhook_secret
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not secret or not hmac.compare_digest(given, secret):
        raise Forbidden("bad Telegram secret token")
    update = await read_json(request)
    message = (update.get("message") or update.get("edited_message")) if isinstance(update, dict) else None
    if not isinstance(message, dict) or not isinstance(message.get("from"), dict):
        return json_response({"ignored": True})  # updates without a client message: nothing to store
    sender = message["from"]
    name = " ".join(filter(None, (sender.get("first_name"), sender.get("last_name")))) or sender.get("username")
    date = message.get("date")
    await call(request, "leads", "record_communication", item={
        "channel": "telegram", "source": "telegram", "direction": "in", "provider_status": "received",
        "external_id": f"{(message.get('chat') or {}).get('id')}:{message.get('message_id')}",
        "from": str(sender.get("id", "")), "to": "bot", "from_name": name,
        "phone": (message.get("contact") or {}).get("phone_number"),
        "body": message.get("text") or message.get("caption") or "",
        "occurred_at": datetime.fromtimestamp(date, UTC).isoformat() if isinstance(date, int) else None,
    })
    return json_response({"ok": True})


@routes.post("/webhooks/email", roles=SIGNED,
             summary="An inbound e-mail, parsed: {message_id, from, from_name, to, subject, text, date}; "
                     + SIGNED_HOW)
async def inbound_email(request: web.Request) -> web.Response:
    mail = await signed_json(request, request.app[SETTINGS].email_secret)
    result = await call(request, "leads", "record_communication", item={
        "channel": "email", "source": "email", "external_id": mail.get("message_id"), "direction": "in",
        "provider_status": "received", "from": mail.get("from"), "to": mail.get("to", ""),
        "from_name": mail.get("from_name"), "subject": mail.get("subject"), "body": mail.get("text"),
        "occurred_at": mail.get("date") or datetime.now(UTC).isoformat(),
    })
    return json_response(result, status=200 if result.pop("duplicate") else 201)
