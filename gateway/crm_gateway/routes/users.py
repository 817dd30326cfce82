"""Users as records: create, read, edit (with versions), archive and restore, dismiss, password reset."""
import asyncio

from aiohttp import web
from marshmallow import Schema, fields, validate

from crm_gateway.api import (
    ADMIN, STAFF, Routes, call, expected_version, json_response, versioned_response,
)
from crm_gateway.context import ACCOUNTS, DEPARTMENTS
from crm_gateway.errors import Conflict, InvalidInput, NotFound
from crm_gateway.tables import ROLES

routes = Routes("users")
USER_ID = "/users/{user_id:\\d{1,18}}"


class UserInput(Schema):
    login = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_.-]{3,50}$"))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UserEdit(Schema):
    version = fields.Integer(validate=validate.Range(min=1))
    full_name = fields.String(validate=validate.Length(min=1, max=200))
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()
    department_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), validate=validate.Length(max=100),
                                 metadata={"description": "the departments the user is in (all of them)"})


class ArchivedQuery(Schema):
    archived = fields.Boolean(load_default=False)


class DismissInput(Schema):
    substitute_id = fields.Integer(load_default=None, validate=validate.Range(min=1))


async def with_departments(request: web.Request, found: list) -> list[dict]:
    """Users as shown, each with the ids of the departments they are in."""
    department_ids = await request.app[DEPARTMENTS].department_ids_of([user.id for user in found])
    return [user.as_dict() | {"department_ids": department_ids[user.id]} for user in found]


def user_id_of(request: web.Request) -> int:
    return int(request.match_info["user_id"])


async def existing_other_user(request: web.Request, doing: str) -> int:
    """The id of the user in the path, which exists and is not the admin asking (who cannot `doing` themselves)."""
    user_id = user_id_of(request)
    if await request.app[ACCOUNTS].get_user(user_id) is None:
        raise NotFound(f"user {user_id} not found", {"user_id": user_id})
    if user_id == request["user"].id:
        raise Conflict(f"you cannot {doing} yourself", {"user_id": [f"you cannot {doing} yourself"]})
    return user_id


@routes.post("/users", roles=ADMIN, body=UserInput,
             summary="Create a user with a role (the password follows the password policy)")
async def create_user(request: web.Request) -> web.Response:
    user = await request.app[ACCOUNTS].create_user(**request["body"], by=request["user"])
    if user is None:
        raise Conflict("the login is taken", {"login": ["already exists"]})
    return json_response(user.as_dict(), status=201)


@routes.get("/users", roles=ADMIN, query=ArchivedQuery,
            summary="All users but the archived (?archived=true: only the archived)")
async def list_users(request: web.Request) -> web.Response:
    users = await request.app[ACCOUNTS].list_users(request["query"]["archived"])
    return json_response(await with_departments(request, users))


@routes.get("/users/directory", roles=STAFF, query=ArchivedQuery,
            summary="Every user's id, full name, role and whether they are active, for showing names and "
                    "picking people (staff); archived users only with ?archived=true (then only they)")
async def user_directory(request: web.Request) -> web.Response:
    return json_response(await request.app[ACCOUNTS].directory(request["query"]["archived"]))


@routes.get(USER_ID, roles=ADMIN, summary="One user, archived too; the ETag is its version")
async def get_user(request: web.Request) -> web.Response:
    user = await request.app[ACCOUNTS].get_user(user_id_of(request))
    if user is None:
        raise NotFound(f"user {user_id_of(request)} not found", {"user_id": user_id_of(request)})
    [shown] = await with_departments(request, [user])
    return versioned_response(shown)


@routes.patch(USER_ID, roles=ADMIN, body=UserEdit,
              summary="Change a user's full name, role or active (naming the version read: body or If-Match); "
                      "the last active admin stays an admin; department_ids: the departments they are in")
async def edit_user(request: web.Request) -> web.Response:
    wanted = {field: value for field, value in request["body"].items() if field not in ("version", "department_ids")}
    department_ids = request["body"].get("department_ids")
    if not wanted and department_ids is None:
        raise InvalidInput("nothing to change", {"body": ["name at least one of full_name, role, active, "
                                                          "department_ids"]})
    user_id = user_id_of(request)
    if department_ids is not None:  # checked first, so a refused list changes nothing
        await request.app[DEPARTMENTS].check_departments(department_ids)
    user = (await request.app[ACCOUNTS].update_user(request["user"], user_id, wanted, expected_version(request))
            if wanted else await request.app[ACCOUNTS].get_user(user_id))
    if user is None:
        raise NotFound(f"user {user_id} not found", {"user_id": user_id})
    if department_ids is not None:
        await request.app[DEPARTMENTS].set_user_departments(user_id, department_ids)
    [shown] = await with_departments(request, [user])
    return versioned_response(shown)


@routes.post(USER_ID + "/archive", roles=ADMIN,
             summary="Archive a user (If-Match: the version read): they cannot log in and vanish from lists "
                     "and pickers; 409 naming the open work they still answer for, to be handed over first")
async def archive_user(request: web.Request) -> web.Response:
    user_id = await existing_other_user(request, "archive")
    leads_work, deals_work = await asyncio.gather(call(request, "leads", "open_work_of", user_id=user_id),
                                                  call(request, "deals", "open_work_of", user_id=user_id))
    open_work = {kind: ids for kind, ids in (leads_work | deals_work).items() if ids}
    if open_work:
        raise Conflict(f"user {user_id} still answers for open work; hand it over first "
                       f"(POST /api/v1/users/{user_id}/dismiss or /api/v1/ownership/reassign), then archive",
                       open_work)
    user = await request.app[ACCOUNTS].archive(request["user"], user_id, expected_version(request))
    return versioned_response(user.as_dict())


@routes.post(USER_ID + "/restore", roles=ADMIN,
             summary="Bring an archived user back (If-Match: the version read); they log in with their password")
async def restore_user(request: web.Request) -> web.Response:
    user = await request.app[ACCOUNTS].restore(request["user"], user_id_of(request), expected_version(request))
    return versioned_response(user.as_dict())


@routes.post(USER_ID + "/password-reset", roles=ADMIN,
             summary="Reset a user's password: their sessions end; the answer shows a one-time temporary "
                     "password, once, which must be changed at the next login")
async def reset_password(request: web.Request) -> web.Response:
    user, temporary = await request.app[ACCOUNTS].reset_password(request["user"], user_id_of(request))
    return json_response({"user": user.as_dict(), "temporary_password": temporary})


@routes.post(USER_ID + "/dismiss", roles=ADMIN, body=DismissInput,
             summary="Dismiss a user: every company, contact and open lead moves to the substitute "
                     "(given here or configured), then the user can no longer log in")
async def dismiss_user(request: web.Request) -> web.Response:
    user_id = await existing_other_user(request, "dismiss")  # refused before anything is handed over
    handed_over = await call(request, "leads", "reassign", from_user_id=user_id,
                             to_user_id=request["body"]["substitute_id"], reason="увольнение")
    user = await request.app[ACCOUNTS].update_user(request["user"], user_id, {"active": False}, None)
    return json_response({"user": user.as_dict(), "handed_over": handed_over})
