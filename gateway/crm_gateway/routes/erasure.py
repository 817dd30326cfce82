"""Erasing a person's personal data on their request (152-FZ, GDPR): admins only."""
from aiohttp import web
from marshmallow import Schema, fields, validate

from crm_gateway.api import ADMIN, Routes, call, json_response

routes = Routes("clients")


class ErasureInput(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


@routes.post("/contacts/{contact_id:\\d{1,18}}/erase", roles=ADMIN, body=ErasureInput,
             summary="Erase a contact's personal data in every service (name, phones, e-mails, message bodies), "
                     "keeping counts; a second call answers the same: {reason}")
async def erase_contact(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "erase_contact", contact_id=int(request.match_info["contact_id"]),
                                    reason=request["body"]["reason"]))
