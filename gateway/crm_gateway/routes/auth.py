from aiohttp import web
from marshmallow import Schema, fields, validate

from crm_gateway.api import ADMIN, ANY_USER, PUBLIC, STAFF, Routes, bearer_token, call, json_response
from crm_gateway.context import ACCOUNTS
from crm_gateway.errors import Conflict, NotFound, Unauthenticated
from crm_gateway.tables import ROLES

routes = Routes("auth")


class LoginInput(Schema):
    login = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UserInput(Schema):
    login = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_.-]{3,50}$"))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    password = fields.String(required=True, validate=validate.Length(min=10, max=200))


@routes.post("/auth/login", roles=PUBLIC, body=LoginInput, summary="Exchange a login and password for a bearer token")
async def log_in(request: web.Request) -> web.Response:
    body = request["body"]
    session = await request.app[ACCOUNTS].log_in(body["login"], body["password"])
    if session is None:
        raise Unauthenticated("wrong login or password")
    token, user, expires_at = session
    return json_response({"token": token, "expires_at": expires_at.isoformat(), "user": user.as_dict()})


@routes.post("/auth/logout", roles=ANY_USER, summary="End this token's session")
async def log_out(request: web.Request) -> web.Response:
    await request.app[ACCOUNTS].log_out(bearer_token(request))
    return json_response({"status": "logged out"})


@routes.get("/me", roles=ANY_USER, summary="The user behind the token")
async def me(request: web.Request) -> web.Response:
    return json_response(request["user"].as_dict())


@routes.post("/users", roles=ADMIN, body=UserInput, summary="Create a user with a role")
async def create_user(request: web.Request) -> web.Response:
    user = await request.app[ACCOUNTS].create_user(**request["body"], by=request["user"])
    if user is None:
        raise Conflict("the login is taken", {"login": ["already exists"]})
    return json_response(user.as_dict(), status=201)


@routes.get("/users", roles=ADMIN, summary="All users")
async def list_users(request: web.Request) -> web.Response:
    return json_response([user.as_dict() for user in await request.app[ACCOUNTS].list_users()])


@routes.get("/users/directory", roles=STAFF,
            summary="Every user's id, full name, role and whether they are active, for showing names (staff)")
async def user_directory(request: web.Request) -> web.Response:
    return json_response(await request.app[ACCOUNTS].directory())


class DismissInput(Schema):
    substitute_id = fields.Integer(load_default=None, validate=validate.Range(min=1))


@routes.post("/users/{user_id:\\d{1,18}}/dismiss", roles=ADMIN, body=DismissInput,
             summary="Dismiss a user: every company, contact and open lead moves to the substitute "
                     "(given here or configured), then the user can no longer log in")
async def dismiss_user(request: web.Request) -> web.Response:
    user_id = int(request.match_info["user_id"])
    if await request.app[ACCOUNTS].get_user(user_id) is None:
        raise NotFound(f"user {user_id} not found", {"user_id": user_id})
    handed_over = await call(request, "leads", "reassign", from_user_id=user_id,
                             to_user_id=request["body"]["substitute_id"], reason="увольнение")
    user = await request.app[ACCOUNTS].deactivate(user_id, by=request["user"])
    return json_response({"user": user.as_dict(), "handed_over": handed_over})
