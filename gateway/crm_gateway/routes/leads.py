from aiohttp import web
from marshmallow import Schema, fields, validate

from crm_gateway.api import STAFF, Routes, call, json_response

routes = Routes("leads")


class LeadQuery(Schema):
    source = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


@routes.get("/leads", roles=STAFF, query=LeadQuery, summary="Leads, newest first")
async def list_leads(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "list_leads", **request["query"]))


@routes.get("/leads/{lead_id:\d{1,18}}", roles=STAFF, summary="A lead with its contact")
async def get_lead(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "get_lead", lead_id=int(request.match_info["lead_id"])))

