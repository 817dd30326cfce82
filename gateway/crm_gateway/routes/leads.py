from aiohttp import web
from marshmallow import Schema, fields, validate

from crm_gateway.api import SALES, STAFF, JsonObject, Routes, call, expected_version, json_response, versioned_response

routes = Routes("leads")
LEAD_ID = "{lead_id:\\d{1,18}}"
# Who may change leads: the call centre and sales; controllers and crews only read or nothing.
WRITERS = ("admin", "head_of_sales", "manager", "operator")
MANAGERS = ("admin", "head_of_sales")
EDIT_RESPONSES = {"409": {"description": "changed since the version you read (`details.version` names the current "
                                         "one), or taken by another record"}}
ARCHIVE_RESPONSES = {"409": {"description": "open work depends on it: `details` names it, e.g. "
                                            "`{\"open_deals\": [12, 15]}`"}}


class Listing(Schema):
    archived = fields.Boolean(load_default=False, metadata={"description": "true: only the archived ones"})


class LeadQuery(Listing):
    source = fields.String(load_default=None)
    stage = fields.String(load_default=None)
    stage_kind = fields.String(load_default=None, validate=validate.OneOf(("open", "won", "lost")))
    channel = fields.String(load_default=None)
    responsible_id = fields.Integer(load_default=None)
    contact_id = fields.Integer(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    mine = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class InboxQuery(Schema):
    category = fields.String(load_default=None, metadata={"description": "a sorting category, or `unsorted`"})
    direction = fields.String(load_default=None, validate=validate.OneOf(("in", "out")))
    channel = fields.String(load_default=None)
    since = fields.AwareDateTime(load_default=None, metadata={"description": "ISO date-time with its offset"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


def _lead_id(request: web.Request) -> int:
    return int(request.match_info["lead_id"])


@routes.get("/leads", roles=STAFF, query=LeadQuery,
            summary="Leads, newest first, filtered by stage, kind, source, channel, owner, contact or text")
async def list_leads(request: web.Request) -> web.Response:
    query = dict(request["query"])
    if query.pop("mine"):
        query["responsible_id"] = request["user"].id
    return json_response(await call(request, "leads", "list_leads", **{k: v for k, v in query.items() if v is not None}))


@routes.post("/leads", roles=WRITERS, body=JsonObject,
             summary="Create a lead by hand: {name, phone, email, title, message, channel, request_type, client_type}")
async def create_lead(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "create_lead", **request["body"]), status=201)


@routes.get(f"/leads/{LEAD_ID}", roles=STAFF, summary="A lead with its contact, its version as the ETag")
async def get_lead(request: web.Request) -> web.Response:
    return versioned_response(await call(request, "leads", "get_lead", lead_id=_lead_id(request)))


@routes.patch(f"/leads/{LEAD_ID}", roles=WRITERS, body=JsonObject, responses=EDIT_RESPONSES,
              summary="Update a lead, only the fields to change: {title, message, responsible_id, fields: "
                      "{request_type, client_type, ...}, version}; its stage moves only through /move")
async def update_lead(request: web.Request) -> web.Response:
    return await edit_record(request, "update_lead", lead_id=_lead_id(request))


async def edit_record(request: web.Request, method: str, **record_id: int) -> web.Response:
    """Edit one of leads' records (`method`) with the body's fields, naming the version read if any."""
    return versioned_response(await call(request, "leads", method, **{
        **request["body"], "version": expected_version(request), **record_id}))


async def set_archived(request: web.Request, method: str, record_id: int, archived: bool) -> web.Response:
    """Archive or restore one of leads' records (`method`), naming the version read if any."""
    return versioned_response(await call(request, "leads", method, record_id=record_id, archived=archived,
                                         version=expected_version(request)))


@routes.post(f"/leads/{LEAD_ID}/archive", roles=WRITERS, summary="Archive a lead: hidden from lists, kept for reports")
async def archive_lead(request: web.Request) -> web.Response:
    return await set_archived(request, "archive_lead", _lead_id(request), True)


@routes.post(f"/leads/{LEAD_ID}/restore", roles=WRITERS, summary="Bring an archived lead back")
async def restore_lead(request: web.Request) -> web.Response:
    return await set_archived(request, "archive_lead", _lead_id(request), False)


@routes.post(f"/leads/{LEAD_ID}/move", roles=WRITERS, body=JsonObject, responses={"422": {
    "description": "the stage gate refused: `details.missing_fields` lists what is missing"}},
    summary="Move a lead to a stage, with the fields it needs: {stage, fields}; each lost reason is a stage")
async def move_lead(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "move_lead", **{**request["body"], "lead_id": _lead_id(request)}))


@routes.post(f"/leads/{LEAD_ID}/convert", roles=WRITERS, body=JsonObject,
             summary="Convert a lead (move it to the won stage): {fields: {request_type, client_type, "
                     "company_name, company_category}}")
async def convert_lead(request: web.Request) -> web.Response:
    body = {"fields": request["body"].get("fields", {})}
    return json_response(await call(request, "leads", "move_lead", **body, stage="won", lead_id=_lead_id(request)))


@routes.get("/lead-stages", roles=STAFF, summary="The lead pipeline: stages, kinds and the fields each requires")
async def lead_stages(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "lead_stages"))


@routes.post("/lead-stages", roles=("admin",), body=JsonObject,
             summary="Add or change a lead stage: {code, name, kind: open|won|lost, position, required_fields, "
                     "deprecated}")
async def save_lead_stage(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "save_lead_stage", **request["body"]))


@routes.get("/communications", roles=STAFF, query=InboxQuery, summary=(
    "The inbox: calls, messages, e-mails and forms, newest first, filtered by category, direction, channel "
    "and since; each with its contact (id, name, phone, email), lead_id and deal_id; `counts` per category "
    "(and `all`) for the same filters whatever the category, for the tabs"))
async def list_communications(request: web.Request) -> web.Response:
    query = {key: value.isoformat() if key == "since" else value
             for key, value in request["query"].items() if value is not None}
    return json_response(await call(request, "leads", "list_communications", **query))


@routes.get("/intake/blocked-numbers", roles=SALES, summary="Numbers whose calls and messages are spam")
async def blocked_numbers(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "blocked_numbers"))


@routes.post("/intake/blocked-numbers", roles=MANAGERS, body=JsonObject, summary="Block a number: {phone, reason}")
async def block_number(request: web.Request) -> web.Response:
    body = request["body"]
    return json_response(await call(request, "leads", "block_number", phone=str(body.get("phone", "")),
                                    reason=str(body.get("reason", ""))), status=201)


@routes.get("/intake/rules", roles=SALES, summary="The rules that sort incoming calls and messages, in order")
async def category_rules(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "category_rules"))


@routes.post("/intake/rules", roles=MANAGERS, body=JsonObject,
             summary="Replace the sorting rules: {rules: [{category, channel, keyword, max_duration_seconds}]}")
async def replace_rules(request: web.Request) -> web.Response:
    return json_response(await call(request, "leads", "replace_category_rules", **request["body"]))
