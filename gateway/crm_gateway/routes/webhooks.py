"""Every webhook from outside, each behind the guard that authenticates its sender
(crm_gateway.webhook_guards), answered 2xx once durable.

Leads commits what it was told before it answers, so a 2xx means the content is stored; a
provider's retry of the same event (same call, message or submission id) changes nothing.
Notify likewise records a delivery status or a staff bot's command before it answers.
"""
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from aiohttp import web

from crm_gateway.api import SIGNED, Routes, call, json_response, read_json
from crm_gateway.context import SETTINGS
from crm_gateway.errors import InvalidInput
from crm_gateway.webhook_guards import verify_hmac, verify_telegram_secret, verify_twilio

routes = Routes("webhooks")
SIGNED_HOW = "X-Signature: sha256=HMAC-SHA256(secret, raw body)"
STOP_WORDS = ("STOP", "СТОП", "ОТПИСАТЬСЯ", "UNSUBSCRIBE")
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


async def json_object(request: web.Request) -> dict:
    payload = await read_json(request)
    if not isinstance(payload, dict):
        raise InvalidInput("the body must be a JSON object", {"body": ["must be an object"]})
    return payload


async def form_of(request: web.Request) -> dict:
    form = await request.post()
    return {key: form[key] for key in form}


def telegram_message(update) -> dict | None:
    """The message of a Telegram update (new or edited), if it has one."""
    message = (update.get("message") or update.get("edited_message")) if isinstance(update, dict) else None
    return message if isinstance(message, dict) else None


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
@verify_hmac(lambda request: request.app[SETTINGS].form_sites.get(request.match_info["site"]))
async def web_form(request: web.Request) -> web.Response:
    site = request.match_info["site"]
    form = await json_object(request)
    lead = await call(request, "leads", "intake_web_form", form={**form, "site": site})
    return json_response(lead, status=200 if lead.pop("duplicate") else 201)


@routes.post("/webhooks/twilio/voice", roles=SIGNED,
             summary="Twilio Voice status callback (form-encoded, X-Twilio-Signature)")
@verify_twilio
async def twilio_voice(request: web.Request) -> web.Response:
    form = await form_of(request)
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
@verify_twilio
async def twilio_message(request: web.Request) -> web.Response:
    form = await form_of(request)
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
@verify_hmac(lambda request: request.app[SETTINGS].pbx_secret)
async def pbx_call(request: web.Request) -> web.Response:
    event = await json_object(request)
    result = await call(request, "leads", "record_communication", item={
        "channel": "call", "source": "pbx", "external_id": str(event.get("call_id", "")),
        "direction": event.get("direction"), "provider_status": str(event.get("status", "")),
        "from": event.get("from"), "to": event.get("to", ""), "from_name": event.get("caller_name"),
        "duration_seconds": event.get("duration"), "recording_url": event.get("recording_url"),
        "occurred_at": event.get("started_at"),
    })
    return json_response(result, status=200 if result.pop("duplicate") else 201)


@routes.post("/webhooks/telegram/clients", roles=SIGNED,
             summary="A Telegram update to the client bot (X-Telegram-Bot-Api-Secret-Token: the client bot's secret)")
@verify_telegram_secret(lambda request: request.app[SETTINGS].telegram_client_bot_secret)
async def telegram_update(request: web.Request) -> web.Response:
    message = telegram_message(await read_json(request))
    if message is None or not isinstance(message.get("from"), dict):
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
@verify_hmac(lambda request: request.app[SETTINGS].email_secret)
async def inbound_email(request: web.Request) -> web.Response:
    mail = await json_object(request)
    result = await call(request, "leads", "record_communication", item={
        "channel": "email", "source": "email", "external_id": mail.get("message_id"), "direction": "in",
        "provider_status": "received", "from": mail.get("from"), "to": mail.get("to", ""),
        "from_name": mail.get("from_name"), "subject": mail.get("subject"), "body": mail.get("text"),
        "occurred_at": mail.get("date") or datetime.now(UTC).isoformat(),
    })
    return json_response(result, status=200 if result.pop("duplicate") else 201)


# -- for notify: the staff bot's commands and the delivery status of what it sent -----------------

@routes.post("/webhooks/telegram", roles=SIGNED,
             summary="A Telegram update to the staff bot (X-Telegram-Bot-Api-Secret-Token: the staff bot's "
                     "secret); chats that are not linked get no answer")
@verify_telegram_secret(lambda request: request.app[SETTINGS].telegram_staff_bot_secret)
async def staff_bot_update(request: web.Request) -> web.Response:
    update = await read_json(request)
    message = telegram_message(update)
    if message is None or not isinstance(message.get("chat"), dict) or "text" not in message:
        return json_response({"ok": True, "handled": False})  # not a text message: nothing to do
    handled = await call(request, "notify", "telegram_update", update_id=update.get("update_id"),
                         chat_id=message["chat"].get("id"), text=message["text"])
    return json_response({"ok": True, "handled": handled["replied"]})


@routes.post("/webhooks/twilio/status", roles=SIGNED,
             summary="Twilio's message status callback (form: MessageSid, MessageStatus, ErrorCode?); "
                     "X-Twilio-Signature over the public URL and the form, with the auth token")
@verify_twilio
async def twilio_status(request: web.Request) -> web.Response:
    form = await form_of(request)
    if not form.get("MessageSid") or not form.get("MessageStatus"):
        raise InvalidInput("MessageSid and MessageStatus are required", {"form": ["MessageSid, MessageStatus"]})
    message = await call(request, "notify", "record_provider_status", provider_id=form["MessageSid"],
                         status=form["MessageStatus"], error_code=form.get("ErrorCode"))
    return json_response({"id": message["id"], "status": message["status"]})
