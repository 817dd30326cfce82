"""Clients (contacts and companies), the client card, merging duplicates, and ownership."""
from aiohttp import web
from marshmallow import Schema, fields, validate

from crm_gateway.api import STAFF, JsonObject, Routes, call, json_response, versioned_response
from crm_gateway.routes.leads import (ARCHIVE_RESPONSES, EDIT_RESPONSES, MANAGERS, WRITERS, Listing, edit_record,
                                     set_archived)

routes = Routes("clients")
CONTACT_ID = "{contact_id:\\d{1,18}}"
COMPANY_ID = "{company_id:\\d{1,18}}"


class Page(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class ContactQuery(Page, Listing):
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100))


class CompanyQuery(Page, Listing):
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
    return versioned_response(await call(request, "leads", "client_card", contact_id=_contact_id(request),
                                         **request["query"]))


def _contact_id(request: web.Request) -> int:
    return int(request.match_info["contact_id"])


def _company_id(request: web.Request) -> int:
    return int(request.match_info["company_id"])


@routes.patch(f"/contacts/{CONTACT_ID}", roles=WRITERS, body=JsonObject, responses=EDIT_RESPONSES,
              summary="Edit a contact, only the fields to change: {name, phone | phones, email | emails, telegram, "
                      "company_id, version}; phones become E.164, a number of another contact is a 409 naming it")
async def edit_contact(request: web.Request) -> web.Response:
    return await edit_record(request, "edit_contact", contact_id=_contact_id(request))


@routes.post(f"/contacts/{CONTACT_ID}/archive", roles=WRITERS, responses=ARCHIVE_RESPONSES,
             summary="Archive a contact: hidden from lists and pickers, its card and history kept")
async def archive_contact(request: web.Request) -> web.Response:
    return await set_archived(request, "archive_contact", _contact_id(request), True)


@routes.post(f"/contacts/{CONTACT_ID}/restore", roles=WRITERS, summary="Bring an archived contact back")
async def restore_contact(request: web.Request) -> web.Response:
    return await set_archived(request, "archive_contact", _contact_id(request), False)


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
    return json_response(await call(request, "leads", "attach_to_company", contact_id=_contact_id(request),
                                    company_id=request["body"]["company_id"]))


@routes.get("/companies", roles=STAFF, query=CompanyQuery, summary="Companies, filtered by category or owner")
async def list_companies(request: web.Request) -> web.Response:
    query = {k: v for k, v in request["query"].items() if v is not None}
    return json_response(await call(request, "leads", "list_companies", **query))


@routes.post("/companies", roles=WRITERS, body=JsonObject,
             summary="Create a company; its category A, B or C is mandatory: {name, category, responsible_id}")
async def create_company(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "create_company", **request["body"]), status=201)


@routes.get(f"/companies/{COMPANY_ID}", roles=STAFF, summary="A company, with its version as the ETag")
async def get_company(request: web.Request) -> web.Response:
    return versioned_response(await call(request, "leads", "get_company", company_id=_company_id(request)))


@routes.patch(f"/companies/{COMPANY_ID}", roles=WRITERS, body=JsonObject, responses=EDIT_RESPONSES,
              summary="Edit a company, only the fields to change: {name, inn, category, responsible_id, address, "
                      "version}; a new category or responsible reaches the reports at once, nothing is reassigned")
async def edit_company(request: web.Request) -> web.Response:
    return await edit_record(request, "edit_company", company_id=_company_id(request))


@routes.post(f"/companies/{COMPANY_ID}/archive", roles=WRITERS, responses=ARCHIVE_RESPONSES,
             summary="Archive a company: hidden from lists and pickers, kept for history and reports")
async def archive_company(request: web.Request) -> web.Response:
    return await set_archived(request, "archive_company", _company_id(request), True)


@routes.post(f"/companies/{COMPANY_ID}/restore", roles=WRITERS, summary="Bring an archived company back")
async def restore_company(request: web.Request) -> web.Response:
    return await set_archived(request, "archive_company", _company_id(request), False)


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
