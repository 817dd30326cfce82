"""Clients (contacts and companies), the client card, merging duplicates, and ownership."""
from aiohttp import web
from marshmallow import Schema, fields, validate

from crm_gateway.api import STAFF, JsonObject, Routes, call, json_response
from crm_gateway.routes.leads import MANAGERS, WRITERS

routes = Routes("clients")
CONTACT_ID = "{contact_id:\\d{1,18}}"


class Page(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class ContactQuery(Page):
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100))


class CompanyQuery(Page):
    category = fields.String(load_default=None, validate=validate.OneOf(("A", "B", "C")))
    responsible_id = fields.Integer(load_default=None)


class DuplicatesQuery(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class CompanyLink(Schema):
    company_id = fields.Integer(required=True, validate=validate.Range(min=1))


class DutyInput(Schema):
    user_id = fields.Integer(required=True, validate=validate.Range(min=1))
    on_duty = fields.Boolean(required=True)


class SubstituteInput(Schema):
    user_id = fields.Integer(required=True, validate=validate.Range(min=1))
    substitute_id = fields.Integer(required=True, validate=validate.Range(min=1))


class BatchInput(Schema):
    batch_id = fields.String(required=True, validate=validate.Length(min=1, max=200))


@routes.get(f"/clients/{CONTACT_ID}", roles=STAFF, query=Page,
            summary="The client card: contact, company, open leads and the whole history across channels, "
                    "newest first, paginated")
async def client_card(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "client_card", contact_id=int(request.match_info["contact_id"]),
                                    **request["query"]))


@routes.get("/contacts", roles=STAFF, query=ContactQuery, summary="Contacts, newest first; q searches name, phone, e-mail")
async def list_contacts(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "list_contacts", **request["query"]))


@routes.get("/contacts/duplicates", roles=STAFF, query=DuplicatesQuery, summary="Pairs of contacts that look like one person")
async def duplicates(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "suggested_duplicates", limit=request["query"]["limit"]))


@routes.post("/contacts/merge", roles=WRITERS, body=JsonObject,
             summary="Merge a duplicate into a contact, keeping all history and links: {keep_id, merge_id}")
async def merge(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "merge_contacts", **request["body"]))


@routes.post(f"/contacts/{CONTACT_ID}/company", roles=WRITERS, body=CompanyLink, summary="Put a contact in a company")
async def attach(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "attach_to_company", contact_id=int(request.match_info["contact_id"]),
                                    company_id=request["body"]["company_id"]))


@routes.get("/companies", roles=STAFF, query=CompanyQuery, summary="Companies, filtered by category or owner")
async def list_companies(request: web.Request) -> web.Response:
    query = {k: v for k, v in request["query"].items() if v is not None}
    return json_response(await call(request, "leads", "list_companies", **query))


@routes.post("/companies", roles=WRITERS, body=JsonObject,
             summary="Create a company; its category A, B or C is mandatory: {name, category, responsible_id}")
async def create_company(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "create_company", **request["body"]), status=201)


@routes.get("/companies/categories", roles=STAFF,
            summary="Company categories A, B, C and how often each must be contacted (days)")
async def company_categories(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "company_categories"))


@routes.post("/companies/categories", roles=MANAGERS, body=JsonObject,
             summary="Set a category's contact interval: {category, contact_interval_days}")
async def set_contact_interval(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "set_contact_interval", **request["body"]))


@routes.get("/ownership/duty", roles=STAFF, summary="Operators and whether they are on duty (new leads go round robin)")
async def duty(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "duty_roster"))


@routes.post("/ownership/duty", roles=MANAGERS, body=DutyInput, summary="Put an operator on or off duty")
async def set_duty(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "set_duty", **request["body"]))


@routes.post("/ownership/substitutes", roles=MANAGERS, body=SubstituteInput,
             summary="Who takes over a user's clients when they are absent or dismissed")
async def set_substitute(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "set_substitute", **request["body"]))


@routes.post("/ownership/reassign", roles=MANAGERS, body=JsonObject,
             summary="Move every company, contact and open lead of a user to another (or their substitute): "
                     "{from_user_id, to_user_id, reason}")
async def reassign(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "reassign", **request["body"]))


@routes.post("/ownership/return", roles=MANAGERS, body=BatchInput,
             summary="Give back what a reassignment moved, where the substitute still holds it")
async def return_assignments(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "return_assignments", batch_id=request["body"]["batch_id"]))
