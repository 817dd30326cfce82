"""Sessions and the user's own password: log in, log out, who am I, change my password."""
from aiohttp import web
from marshmallow import Schema, fields, validate

from crm_gateway.api import ANY_USER, PUBLIC, Routes, bearer_token, json_response
from crm_gateway.context import ACCOUNTS
from crm_gateway.errors import Unauthenticated
from crm_gateway.routes.users import with_departments

routes = Routes("auth")


class LoginInput(Schema):
    login = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class PasswordChangeInput(Schema):
    old_password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=200))


def session_response(session) -> web.Response:
    return json_response({"token": session.token, "expires_at": session.expires_at.isoformat(),
                          "user": session.user.as_dict(),
                          "must_change_password": session.user.must_change_password})


@routes.post("/auth/login", roles=PUBLIC, body=LoginInput,
             summary="Exchange a login and password for a bearer token; after an admin's reset "
                     "(must_change_password) the token serves only POST /me/password, GET /me and logout")
async def log_in(request: web.Request) -> web.Response:
    body = request["body"]
    session = await request.app[ACCOUNTS].log_in(body["login"], body["password"])
    if session is None:
        raise Unauthenticated("wrong login or password")
    return session_response(session)


@routes.post("/auth/logout", roles=ANY_USER, before_password_change=True, summary="End this token's session")
async def log_out(request: web.Request) -> web.Response:
    await request.app[ACCOUNTS].log_out(bearer_token(request), request["user"])
    return json_response({"status": "logged out"})


@routes.get("/me", roles=ANY_USER, before_password_change=True,
            summary="The user behind the token, with their department_ids")
async def me(request: web.Request) -> web.Response:
    [user] = await with_departments(request, [request["user"]])
    return json_response(user)


@routes.post("/me/password", roles=ANY_USER, before_password_change=True, body=PasswordChangeInput,
             summary="Change my password (naming the old one): every other session of mine ends; "
                     "answers a fresh token for this one")
async def change_my_password(request: web.Request) -> web.Response:
    body = request["body"]
    session = await request.app[ACCOUNTS].change_password(request["user"], body["old_password"],
                                                          body["new_password"])
    return session_response(session)
