"""Notifications: in-app messages, outbound messages to clients (SMS, WhatsApp, e-mail,
Telegram) and their delivery status per deal, reminders, campaigns, opt-outs. Twilio's
status callbacks are with every other webhook in crm_gateway.routes.webhooks."""
import asyncio
import contextlib
import json

from aiohttp import web
from marshmallow import Schema, fields, validate

from crm_gateway.api import ANY_USER, SALES, STAFF, JsonObject, Routes, call, json_response
from crm_gateway.context import LIVE
from crm_gateway.errors import Forbidden, InvalidInput

routes = Routes("notify")
DEAL_ID = "{deal_id:\\d{1,18}}"
CAMPAIGN_ID = "{campaign_id:\\d{1,18}}"
HEARTBEAT_SECONDS = 15


class NotificationQuery(Schema):
    recipient = fields.String(load_default=None, validate=validate.Regexp(r"^(user|crew):\d{1,18}$"))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class MessageInput(Schema):
    user_id = fields.Integer(required=True, validate=validate.Range(min=1))
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    idempotency_key = fields.String(required=True, validate=validate.Length(min=1, max=200))


def on_behalf(request: web.Request, body: dict) -> dict:
    """The caller's idempotency key, made the caller's own: two users' `q-1` are two requests."""
    key = body.get("idempotency_key")
    return {**body, "idempotency_key": f"user:{request['user'].id}:{key}"} if isinstance(key, str) else body


@routes.get("/notifications", roles=ANY_USER, query=NotificationQuery,
            summary="In-app notifications: your own, or (admin, controller) any recipient's")
async def list_notifications(request: web.Request) -> web.Response:
    user = request["user"]
    recipient = request["query"]["recipient"] or f"user:{user.id}"
    if recipient != f"user:{user.id}" and user.role not in ("admin", "controller", "head_of_sales"):
        raise Forbidden("you may read only your own notifications")
    return json_response(await call(request, "notify", "list_notifications", recipient=recipient,
                                    limit=request["query"]["limit"]))


@routes.get("/notifications/live", roles=ANY_USER, summary=(
    "Live updates as they arrive, text/event-stream: `event: notification` for each of your in-app "
    "notifications (JSON: id, recipient, template, body, created_at); and, for those who take calls "
    "(operator, manager, head_of_sales, admin), `event: communication` for each incoming call, message, "
    "e-mail or form once logged (JSON: communication_id, contact_id, contact_name, from_address, lead_id, "
    "deal_id, channel, direction, status, category, occurred_at, duration_seconds, recording_url); "
    "comments as heartbeats"))
async def live_notifications(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                           "Cache-Control": "no-cache", "X-Request-ID": request["request_id"]})
    user = request["user"]
    with request.app[LIVE].subscribe(user.id, user.role) as queue, \
            contextlib.suppress(ConnectionResetError):  # the reader went away: the stream simply ends
        await response.prepare(request)  # subscribed first: nothing is missed once the client sees headers
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except asyncio.TimeoutError:
                await response.write(b": heartbeat\n\n")
                continue
            data = json.dumps(item.data, ensure_ascii=False)
            await response.write(f"id: {item.id}\nevent: {item.event}\ndata: {data}\n\n".encode())
    return response


@routes.post("/notifications", roles=STAFF, body=MessageInput,
             summary="Send a colleague an in-app message; the idempotency key makes a retry harmless")
async def send_message(request: web.Request) -> web.Response:
    body = request["body"]
    text = f"{request['user'].full_name}: {body['text']}"
    sent = await call(request, "notify", "send_in_app", recipient=f"user:{body['user_id']}", text=text,
                      idempotency_key=f"user:{request['user'].id}:{body['idempotency_key']}")
    return json_response(sent, status=201)


@routes.post("/messages", roles=STAFF, body=JsonObject,
             summary="Send a client a message: {channel: sms|whatsapp|email|telegram, to (E.164 phone, "
                     "e-mail or chat id), text, subject?, deal_id?, send_at?, idempotency_key}; "
                     "sent once, within the channel's rate limit and outside quiet hours")
async def send_outbound(request: web.Request) -> web.Response:
    return json_response(await call(request, "notify", "send_message", **on_behalf(request, request["body"])),
                         status=201)


@routes.get(f"/deals/{DEAL_ID}/messages", roles=STAFF,
            summary="The messages sent about a deal and their delivery status (for the deal card)")
async def deal_messages(request: web.Request) -> web.Response:
    return json_response(await call(request, "notify", "list_deal_messages",
                                    deal_id=int(request.match_info["deal_id"])))


@routes.post("/reminders/membership", roles=STAFF, body=JsonObject,
             summary="Remind a client that the membership ends: {channel: sms|email, to, client_name, "
                     "ends_on, days_before?, deal_id?}; goes out days_before ends_on at 10:00")
async def membership_reminder(request: web.Request) -> web.Response:
    return json_response(await call(request, "notify", "remind_membership_ending", **request["body"]), status=201)


CONTACT_FIELD = {"sms": "phone", "whatsapp": "phone", "email": "email"}


async def _recipients_of(request: web.Request, body: dict) -> tuple[list[dict], int]:
    """Addresses for a segment (from reports) or a list of client ids (from leads); how many had none."""
    if "segment_id" in body:
        segment = await call(request, "reports", "segment_clients", segment_id=body["segment_id"])
        contact_ids = sorted({row["contact_id"] for row in segment["rows"] if row.get("contact_id")})
    else:
        contact_ids = body["contact_ids"]
    if not isinstance(contact_ids, list) or not contact_ids:
        raise InvalidInput("no clients to write to", {"contact_ids": ["a non-empty list"]})
    field = CONTACT_FIELD.get(body.get("channel"))
    if field is None:
        raise InvalidInput("invalid input", {"channel": [f"one of: {', '.join(CONTACT_FIELD)} for clients"]})
    found = await call(request, "leads", "contact_addresses", contact_ids=contact_ids)
    recipients = [{"address": item[field]} for item in found if item[field]]
    return recipients, len(contact_ids) - len(recipients)


@routes.post("/campaigns", roles=SALES, body=JsonObject,
             summary="A message to many: {name, channel, text, idempotency_key} and the recipients as "
                     "{recipients: [{address}]}, {contact_ids: [...]} or {segment_id} (a saved segment of "
                     "reports); sent in batches within the rate limit, opt-outs skipped")
async def create_campaign(request: web.Request) -> web.Response:
    body = {**on_behalf(request, request["body"]), "created_by": f"user:{request['user'].id}"}
    unreachable = 0
    if "segment_id" in body or "contact_ids" in body:
        body["recipients"], unreachable = await _recipients_of(request, body)
        body = {k: v for k, v in body.items() if k not in ("segment_id", "contact_ids")}
        if not body["recipients"]:
            raise InvalidInput("none of these clients has an address on this channel", {"channel": ["no addresses"]})
    campaign = await call(request, "notify", "create_campaign", **body)
    return json_response({**campaign, "clients_without_address": unreachable}, status=201)


@routes.get(f"/campaigns/{CAMPAIGN_ID}", roles=SALES, summary="A campaign with each recipient's status")
async def get_campaign(request: web.Request) -> web.Response:
    return json_response(await call(request, "notify", "get_campaign",
                                    campaign_id=int(request.match_info["campaign_id"])))


@routes.post("/opt-outs", roles=STAFF, body=JsonObject,
             summary="A recipient who wants no more messages on a channel: {channel, address}; "
                     "their pending messages there are withdrawn")
async def opt_out(request: web.Request) -> web.Response:
    return json_response(await call(request, "notify", "opt_out", **request["body"]), status=201)
