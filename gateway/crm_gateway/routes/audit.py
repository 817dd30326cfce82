"""The audit trail: who changed what, when, from what to what. Read only: no endpoint writes it.

Entries come from reports (built from every service's events) and from the gateway's own audit
(logins, users; crm_gateway/audit.py), merged newest first.
"""
from aiohttp import web
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from crm_gateway import audit
from crm_gateway.api import Routes, call, json_response
from crm_gateway.context import ACCOUNTS

routes = Routes("audit")
AUDITORS = ("admin", "controller")
KEY = validate.Length(min=1, max=64)


class AuditQuery(Schema):
    entity = fields.String(load_default=None, validate=validate.Regexp(r"^[a-z_]{1,64}$"),
                           metadata={"description": "deal, lead, contact, company, task, booking, user, pipeline, ..."})
    id = fields.String(load_default=None, validate=KEY, metadata={"description": "the record's id"})
    actor_id = fields.String(load_default=None, validate=KEY, metadata={"description": "what this user did"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    before = fields.AwareDateTime(load_default=None, metadata={"description": "older than this (the next page)"})

    @validates_schema
    def asks_for_something(self, data, **kwargs):
        if data["id"] is not None and data["entity"] is None:
            raise ValidationError("an id needs its entity", "entity")
        if data["entity"] is None and data["actor_id"] is None:
            raise ValidationError("name a record (entity and id), a kind of record (entity) or an actor_id", "entity")


@routes.get("/audit", roles=AUDITORS, query=AuditQuery,
            summary="Who changed what, when, from what to what: a record's history (entity, id), every change of a "
                    "kind (entity: pipeline, automation_rule, ...) or what a user did (actor_id), newest first; "
                    "`before` pages on")
async def audit_trail(request: web.Request) -> web.Response:
    query = request["query"]
    before = query["before"]
    services = await call(request, "reports", "audit", entity=query["entity"], entity_id=query["id"],
                          actor_id=query["actor_id"], limit=query["limit"],
                          before=before and before.isoformat())
    own = await audit.entries(request.app[ACCOUNTS].engine, query["entity"], query["id"], query["limit"], before,
                              actor_id=query["actor_id"])
    return json_response({"items": audit.merged(services, own, limit=query["limit"])})
