"""Departments and their members, and what each role may see and change (admins)."""
from aiohttp import web
from marshmallow import Schema, fields, validate

from crm_gateway.api import ADMIN, SALES, Routes, expected_version, json_response, versioned_response
from crm_gateway.context import DEPARTMENTS
from crm_gateway.tables import ROLES, SCOPES

routes = Routes("departments")
DEPARTMENT = "/departments/{department_id:\\d{1,18}}"


class ArchivedQuery(Schema):
    archived = fields.Boolean(load_default=False, metadata={"description": "true: only archived departments"})


class DepartmentInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class DepartmentChange(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    version = fields.Integer(validate=validate.Range(min=1))


class MembersInput(Schema):
    user_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), required=True,
                           validate=validate.Length(max=10_000))


class ScopeInput(Schema):
    read = fields.String(required=True, validate=validate.OneOf(SCOPES))
    write = fields.String(required=True, validate=validate.OneOf(SCOPES))


def _department_id(request: web.Request) -> int:
    return int(request.match_info["department_id"])


def _role(request: web.Request) -> str:
    return request.match_info["role"]


@routes.get("/departments", roles=SALES + ("controller",), query=ArchivedQuery,
            summary="Departments with their members' user ids; archived=true lists only archived ones")
async def list_departments(request: web.Request) -> web.Response:
    return json_response(await request.app[DEPARTMENTS].listed(request["query"]["archived"]))


@routes.post("/departments", roles=ADMIN, body=DepartmentInput, summary="Create a department: {name}")
async def create_department(request: web.Request) -> web.Response:
    return json_response(await request.app[DEPARTMENTS].create(request["body"]["name"]), status=201)


@routes.get(DEPARTMENT, roles=SALES + ("controller",), summary="A department with its members' user ids")
async def get_department(request: web.Request) -> web.Response:
    return versioned_response(await request.app[DEPARTMENTS].get(_department_id(request)))


@routes.patch(DEPARTMENT, roles=ADMIN, body=DepartmentChange,
              summary="Rename a department: {name, version} (or If-Match); 409 if it changed since read")
async def change_department(request: web.Request) -> web.Response:
    changes = {key: value for key, value in request["body"].items() if key != "version"}
    return json_response(await request.app[DEPARTMENTS].change(_department_id(request), expected_version(request),
                                                               **changes))


@routes.post(DEPARTMENT + "/archive", roles=ADMIN,
             summary="Archive a department: hidden from lists, its members keep no department scope through it")
async def archive_department(request: web.Request) -> web.Response:
    return json_response(await request.app[DEPARTMENTS].archive(_department_id(request), True))


@routes.post(DEPARTMENT + "/restore", roles=ADMIN, summary="Restore an archived department")
async def restore_department(request: web.Request) -> web.Response:
    return json_response(await request.app[DEPARTMENTS].archive(_department_id(request), False))


@routes.put(DEPARTMENT + "/members", roles=ADMIN, body=MembersInput,
            summary="Set a department's members: {user_ids}; a user may be in several departments")
async def set_members(request: web.Request) -> web.Response:
    return json_response(await request.app[DEPARTMENTS].set_members(_department_id(request),
                                                                    request["body"]["user_ids"]))


ROLE = "/roles/{role:%s}/scope" % "|".join(ROLES)


@routes.get(ROLE, roles=ADMIN, summary="What a role may read and change: own, department, all or none")
async def role_scope(request: web.Request) -> web.Response:
    return json_response(await request.app[DEPARTMENTS].role_scope(_role(request)))


@routes.put(ROLE, roles=ADMIN, body=ScopeInput,
            summary="Set what a role may read and change: {read, write}, each own|department|all|none; "
                    "own = where the user is responsible, department = their departments' members' records")
async def set_role_scope(request: web.Request) -> web.Response:
    body = request["body"]
    return json_response(await request.app[DEPARTMENTS].set_role_scope(_role(request), body["read"], body["write"]))
