from aiohttp import web
from marshmallow import Schema, fields, validate

from crm_gateway.api import ANY_USER, STAFF, Routes, call, json_response
from crm_gateway.errors import Forbidden

routes = Routes("notify")


class NotificationQuery(Schema):
    recipient = fields.String(load_default=None, validate=validate.Regexp(r"^(user|crew):\d{1,18}$"))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class MessageInput(Schema):
    user_id = fields.Integer(required=True, validate=validate.Range(min=1))
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    idempotency_key = fields.String(required=True, validate=validate.Length(min=1, max=200))


@routes.get("/notifications", roles=ANY_USER, query=NotificationQuery,
            summary="In-app notifications: your own, or (admin, controller) any recipient's")
async def list_notifications(request: web.Request) -> web.Response:
    user = request["user"]
    recipient = request["query"]["recipient"] or f"user:{user.id}"
    if recipient != f"user:{user.id}" and user.role not in ("admin", "controller", "head_of_sales"):
        raise Forbidden("you may read only your own notifications")
    return json_response(await call(request, "notify", "list_notifications", recipient=recipient,
                                    limit=request["query"]["limit"]))


@routes.post("/notifications", roles=STAFF, body=MessageInput,
             summary="Send a colleague an in-app message; the idempotency key makes a retry harmless")
async def send_message(request: web.Request) -> web.Response:
    body = request["body"]
    text = f"{request['user'].full_name}: {body['text']}"
    sent = await call(request, "notify", "send_in_app", recipient=f"user:{body['user_id']}", text=text,
                      idempotency_key=f"user:{request['user'].id}:{body['idempotency_key']}")
    return json_response(sent, status=201)
