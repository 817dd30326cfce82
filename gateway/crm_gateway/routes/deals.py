import base64
import re
from urllib.parse import quote

from aiohttp import web
from marshmallow import Schema, fields, validate

from crm_gateway.api import (ADMIN, SALES, STAFF, JsonObject, Routes, call, expected_version, json_response,
                              versioned_response)
from crm_gateway.context import ACCOUNTS
from crm_gateway.errors import InvalidInput, PayloadTooLarge

routes = Routes("deals")
DEAL_ID = "{deal_id:\\d{1,18}}"
STAGE = "stages/{stage:[a-z0-9_-]{1,63}}"
TASK = "/tasks/{task_id:\\d{1,18}}"
PIPELINE = "{pipeline:[a-z0-9_-]{1,63}}"
DEAL_WRITERS = SALES + ("operator",)
VERSION_REFUSED = {"409": {"description": "changed since the version read (details.version), or open work "
                                          "depends on it (details name it)"}}
GATE_REFUSED = {"422": {"description": "the stage gate refused: `details.missing_fields` lists what is missing"}}


class DealQuery(Schema):
    pipeline = fields.String(load_default=None)
    stage = fields.String(load_default=None)
    responsible_id = fields.Integer(load_default=None)
    contact_id = fields.Integer(load_default=None)
    parent_deal_id = fields.Integer(load_default=None)
    open_only = fields.Boolean(load_default=False)
    no_planned_activity = fields.Boolean(load_default=False)
    overdue_tasks = fields.Boolean(load_default=False)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    mine = fields.Boolean(load_default=False)
    archived = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class BoardQuery(Schema):
    pipeline = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,62}$"))
    responsible_id = fields.Integer(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    mine = fields.Boolean(load_default=False)
    per_stage = fields.Integer(load_default=20, validate=validate.Range(min=0, max=100))


MENTION = re.compile(r"@([a-z0-9_.-]{3,50})")


class CommentInput(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class DecisionInput(Schema):
    comment = fields.String(load_default=None, validate=validate.Length(max=2000))


class ActiveInput(Schema):
    active = fields.Boolean(required=True)


def _deal_id(request: web.Request) -> int:
    return int(request.match_info["deal_id"])


def _deal_filters(request: web.Request) -> dict:
    """The query as given, mine=true standing for the user's own deals."""
    query = dict(request["query"])
    if query.pop("mine"):
        query["responsible_id"] = request["user"].id
    return {k: v for k, v in query.items() if v is not None}


@routes.get("/pipelines", roles=STAFF, summary="Pipelines with their stages, required fields and custom fields")
async def list_pipelines(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "list_pipelines"))


@routes.post("/pipelines", roles=ADMIN, body=JsonObject,
             summary="Create a pipeline: {code, name, client_type, stages: [{code, name, kind: open|won|lost, "
                     "required_fields}], fields: [{code, name, type: text|number|money|date|list|user|file|boolean, "
                     "options}]}")
async def create_pipeline(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "create_pipeline", **request["body"]), status=201)


@routes.post(f"/pipelines/{PIPELINE}/fields", roles=ADMIN, body=JsonObject,
             summary="Add a custom field to a pipeline: {code, name, type, options}")
async def add_field(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "add_pipeline_field",
                                    **{**request["body"], "pipeline": request.match_info["pipeline"]}), status=201)


@routes.post(f"/pipelines/{PIPELINE}/{STAGE}/archive", roles=ADMIN, responses=VERSION_REFUSED, summary=(
    "Archive a stage: no board column, no place to move deals to; 409 names the deals in it (deals) and the "
    "active rules that name it (rules)"))
async def archive_stage(request: web.Request) -> web.Response:
    return await _archive_stage(request, True)


@routes.post(f"/pipelines/{PIPELINE}/{STAGE}/restore", roles=ADMIN, summary="Restore an archived stage")
async def restore_stage(request: web.Request) -> web.Response:
    return await _archive_stage(request, False)


async def _archive_stage(request: web.Request, archived: bool) -> web.Response:
    return json_response(await call(request, "deals", "archive_stage", pipeline=request.match_info["pipeline"],
                                    stage=request.match_info["stage"], archived=archived))


@routes.post(f"/pipelines/{PIPELINE}/{STAGE}/gate", roles=ADMIN, body=JsonObject,
             summary="What a deal needs to enter a stage: {required_fields: [...], required_documents: [kinds]}")
async def set_stage_gate(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "set_stage_gate", **{
        **request["body"], "pipeline": request.match_info["pipeline"], "stage": request.match_info["stage"]}))


@routes.get("/deals", roles=STAFF, query=DealQuery,
            summary="Deals, newest first; no_planned_activity=true lists open deals without an open task, "
                    "overdue_tasks=true those with an overdue one; q searches titles")
async def list_deals(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "list_deals", **_deal_filters(request)))


@routes.get("/deals/board", roles=STAFF, query=BoardQuery,
            summary="A pipeline's kanban: its stages in order, each with its gate (required fields and document "
                    "kinds), the count and amount sum of all its deals, and its newest per_stage deals (days in "
                    "stage, overdue tasks); responsible_id, mine=true and q narrow every stage")
async def deal_board(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "deal_board", **_deal_filters(request)))


@routes.post("/deals", roles=DEAL_WRITERS, body=JsonObject,
             summary="Open a deal in the first stage of a pipeline: {pipeline, title, contact_id, amount, fields}")
async def create_deal(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "create_deal", **request["body"]), status=201)


@routes.get(f"/deals/{DEAL_ID}", roles=STAFF,
            summary="The deal card: fields, history (with the rule behind each automatic change), tasks, linked deals")
async def get_deal(request: web.Request) -> web.Response:
    return versioned_response(await call(request, "deals", "get_deal", deal_id=_deal_id(request)))


@routes.patch(f"/deals/{DEAL_ID}", roles=DEAL_WRITERS, body=JsonObject, responses=VERSION_REFUSED, summary=(
    "Edit a deal: only what changes of {title, amount, responsible_id, contact_id, company_id, fields: {...}}, "
    "validated as at creation; the version read as `version` or If-Match"))
async def update_deal(request: web.Request) -> web.Response:
    edit = {**request["body"], "version": expected_version(request), "deal_id": _deal_id(request)}
    return versioned_response(await call(request, "deals", "update_deal_fields", **edit))


@routes.post(f"/deals/{DEAL_ID}/archive", roles=DEAL_WRITERS, responses=VERSION_REFUSED, summary=(
    "Archive a deal: gone from lists and the board, the card still opens, reports keep its history; "
    "409 names open linked deals (open_deals)"))
async def archive_deal(request: web.Request) -> web.Response:
    return await _archive(request, "archive_deal", _deal_id(request), True)


@routes.post(f"/deals/{DEAL_ID}/restore", roles=DEAL_WRITERS, responses=VERSION_REFUSED,
             summary="Restore an archived deal (409 while its stage is archived)")
async def restore_deal(request: web.Request) -> web.Response:
    return await _archive(request, "archive_deal", _deal_id(request), False)


async def _archive(request: web.Request, method: str, record_id: int, archived: bool) -> web.Response:
    """Archive or restore; the version read may come as If-Match."""
    return versioned_response(await call(request, "deals", method, id=record_id, archived=archived,
                                         version=expected_version(request)))


@routes.post(f"/deals/{DEAL_ID}/move", roles=DEAL_WRITERS, body=JsonObject, responses=GATE_REFUSED,
             summary="Move a deal: {stage, fields}; automation runs on the move")
async def move_deal(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "move_deal", **{**request["body"], "deal_id": _deal_id(request)}))


@routes.post(f"/deals/{DEAL_ID}/dry-run", roles=DEAL_WRITERS, body=JsonObject,
             summary="What would happen if the deal moved to {stage}: every rule that would fire, nothing changed")
async def dry_run(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "dry_run_move", **{**request["body"], "deal_id": _deal_id(request)}))


@routes.post("/configuration", roles=ADMIN, body=JsonObject,
             summary="Load a whole configuration: {pipelines: [...], rules: [...]} (what `crm-deals-config "
                     "FILE.yaml` sends); missing pipelines, fields and rules are created, changed gates and rules "
                     "updated (a rule gets a new version)")
async def load_configuration(request: web.Request) -> web.Response:
    body = request["body"]
    return json_response(await call(request, "deals", "load_configuration", pipelines=body.get("pipelines"),
                                    rules=body.get("rules"), timeout=60))


@routes.get("/automation/rules", roles=SALES, summary="Automation rules at their current versions")
async def list_rules(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "list_rules"))


@routes.post("/automation/rules", roles=ADMIN, body=JsonObject,
             summary="Create a rule: {name, pipeline, trigger: {type, ...}, conditions: [{field, op, value}], "
                     "actions: [{type, ...}]}; validated against the pipelines when saved")
async def create_rule(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "save_rule", **request["body"]), status=201)


@routes.post("/automation/rules/{rule_id:\\d{1,18}}", roles=ADMIN, body=JsonObject,
             summary="Change a rule: a new version; chains already running keep the version they started with")
async def update_rule(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "save_rule",
                                    **{**request["body"], "rule_id": int(request.match_info["rule_id"])}))


@routes.post("/automation/rules/{rule_id:\\d{1,18}}/active", roles=ADMIN, body=ActiveInput,
             summary="Switch a rule on or off")
async def set_rule_active(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "set_rule_active", rule_id=int(request.match_info["rule_id"]),
                                    active=request["body"]["active"]))


@routes.post(f"/deals/{DEAL_ID}/tasks", roles=DEAL_WRITERS, body=JsonObject,
             summary="Add a task to a deal: {title, due_at, assignee_id}")
async def create_task(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "create_task", **{**request["body"], "deal_id": _deal_id(request)}),
                         status=201)


@routes.patch(TASK, roles=DEAL_WRITERS, body=JsonObject, responses=VERSION_REFUSED,
              summary="Edit a task: only what changes of {title, due_at, assignee_id}; the version read")
async def edit_task(request: web.Request) -> web.Response:
    edit = {**request["body"], "version": expected_version(request), "task_id": _task_id(request)}
    return versioned_response(await call(request, "deals", "edit_task", **edit))


@routes.post(TASK + "/archive", roles=DEAL_WRITERS, responses=VERSION_REFUSED,
             summary="Archive a task: it no longer counts as open or overdue; the deal card still shows it")
async def archive_task(request: web.Request) -> web.Response:
    return await _archive(request, "archive_task", _task_id(request), True)


@routes.post(TASK + "/restore", roles=DEAL_WRITERS, responses=VERSION_REFUSED,
             summary="Restore an archived task")
async def restore_task(request: web.Request) -> web.Response:
    return await _archive(request, "archive_task", _task_id(request), False)


def _task_id(request: web.Request) -> int:
    return int(request.match_info["task_id"])


@routes.post("/tasks/{task_id:\\d{1,18}}/complete", roles=STAFF, body=JsonObject, summary="Mark a task done")
async def complete_task(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "complete_task", task_id=int(request.match_info["task_id"])))


@routes.post(f"/deals/{DEAL_ID}/comments", roles=STAFF, body=CommentInput,
             summary="Comment on a deal; @login mentions notify those users; a controller's comment is a "
                     "question that notifies the deal's responsible")
async def add_comment(request: web.Request) -> web.Response:
    text = request["body"]["text"]
    mentioned = await request.app[ACCOUNTS].ids_for_logins(set(MENTION.findall(text)))
    return json_response(await call(request, "deals", "add_comment", deal_id=_deal_id(request), text=text,
                                    mentioned_user_ids=mentioned, is_question=request["user"].role == "controller"),
                         status=201)


@routes.post(f"/deals/{DEAL_ID}/approvals", roles=DEAL_WRITERS, body=JsonObject,
             summary="Ask someone to approve: {title, approver_id}")
async def request_approval(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "request_approval",
                                    **{**request["body"], "deal_id": _deal_id(request)}), status=201)


async def _decide(request: web.Request, approved: bool) -> web.Response:
    return json_response(await call(request, "deals", "decide_approval",
                                    approval_id=int(request.match_info["approval_id"]), approved=approved,
                                    comment=request["body"]["comment"],
                                    may_override=request["user"].role in ("admin", "head_of_sales")))


@routes.post("/approvals/{approval_id:\\d{1,18}}/approve", roles=STAFF, body=DecisionInput,
             summary="Approve (the approver, or a head of sales); rules on approval_approved continue the chain")
async def approve(request: web.Request) -> web.Response:
    return await _decide(request, True)


@routes.post("/approvals/{approval_id:\\d{1,18}}/reject", roles=STAFF, body=DecisionInput,
             summary="Reject with a comment; rules on approval_rejected turn the deal back")
async def reject(request: web.Request) -> web.Response:
    return await _decide(request, False)


@routes.post("/automation/timed-rules/run", roles=ADMIN, body=JsonObject,
             summary="Check the time-based rules now (a timer does it every 30 seconds)")
async def run_timed_rules(request: web.Request) -> web.Response:
    return json_response({"fired": await call(request, "deals", "run_timed_rules")})


@routes.post(f"/deals/{DEAL_ID}/payment-schedule", roles=DEAL_WRITERS, body=JsonObject, responses={
    "422": {"description": "the sums differ from the deal amount: `details.difference`"}},
    summary="Payments in instalments: {payments: [{due_date, amount}], accept_difference}; numbered invoices "
            "and a task to send and a task to check each")
async def create_payment_schedule(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "create_payment_schedule",
                                    **{**request["body"], "deal_id": _deal_id(request)}), status=201)


@routes.post("/invoices/{invoice_id:\\d{1,18}}/payments", roles=DEAL_WRITERS, body=JsonObject,
             summary="Register a payment on an invoice: {amount}")
async def register_payment(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "register_payment",
                                    **{**request["body"], "invoice_id": int(request.match_info["invoice_id"])}))


UPLOAD_LIMIT = 10 * 1024 * 1024


async def _read_upload(request: web.Request) -> dict:
    """The multipart form {kind, file}, the file read in chunks and cut off past the limit."""
    if not request.content_type.startswith("multipart/form-data"):
        raise InvalidInput("send multipart/form-data with the fields kind and file", {"body": ["not multipart"]})
    form = {}
    async for part in await request.multipart():
        if part.name == "kind":
            form["kind"] = (await part.text())[:100]
        elif part.name == "file":
            content = bytearray()
            while chunk := await part.read_chunk(64 * 1024):
                content += chunk
                if len(content) > UPLOAD_LIMIT:
                    raise PayloadTooLarge("the file is larger than 10 MiB", {"max_bytes": UPLOAD_LIMIT})
            form.update(filename=part.filename or "", content_type=part.headers.get("Content-Type", ""),
                        content=bytes(content))
    missing = [name for name in ("kind", "content") if name not in form]
    if missing:
        raise InvalidInput("invalid upload", {"kind" if name == "kind" else "file": ["required"] for name in missing})
    return form


@routes.post(f"/deals/{DEAL_ID}/documents", roles=DEAL_WRITERS,
             summary="Upload a document (multipart: kind, file; PDF, images, Office, text; up to 10 MiB) into the "
                     "deal's folder; stage gates may require document kinds")
async def upload_document(request: web.Request) -> web.Response:
    form = await _read_upload(request)
    stored = await call(request, "deals", "add_document", deal_id=_deal_id(request), kind=form["kind"],
                        filename=form["filename"], content_type=form["content_type"],
                        content_b64=base64.b64encode(form["content"]).decode(), timeout=60)
    return json_response(stored, status=201)


@routes.get(f"/deals/{DEAL_ID}/documents/{{document_id:\\d{{1,18}}}}", roles=STAFF, summary="Download a document")
async def download_document(request: web.Request) -> web.Response:
    document = await call(request, "deals", "get_document", deal_id=_deal_id(request),
                          document_id=int(request.match_info["document_id"]), timeout=60)
    return web.Response(body=base64.b64decode(document["content_b64"]), content_type=document["content_type"],
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(document['filename'])}"})
