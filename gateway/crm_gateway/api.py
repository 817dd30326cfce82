"""Declaring endpoints once: route, roles, input schemas and OpenAPI text in one decorator.

    routes = Routes("leads")

    @routes.get("/leads/{lead_id}", roles=STAFF, summary="A lead with its contact")
    async def get_lead(request, user): ...

The wrapper authenticates the bearer token, checks the role, parses and validates the JSON
body and the query string, and leaves the results in `request["body"]` / `request["query"]`.
`roles=PUBLIC` is for health checks; `roles=SIGNED` for webhooks that verify a signature.
A user whose password was reset may only use the endpoints declared `before_password_change=True`.
"""
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web
from marshmallow import INCLUDE, Schema, ValidationError

from crm_gateway.accounts import User
from crm_gateway.context import ACCOUNTS, DEPARTMENTS, RPC
from crm_gateway.errors import Forbidden, InvalidInput, PasswordChangeRequired, Unauthenticated
from crm_gateway.tables import ROLES

PUBLIC = ("public",)
SIGNED = ("signed",)
ANY_USER = ROLES
STAFF = ("admin", "head_of_sales", "manager", "operator", "controller")
SALES = ("admin", "head_of_sales", "manager")
ADMIN = ("admin",)


@dataclass
class Endpoint:
    method: str
    path: str
    handler: Callable
    roles: tuple[str, ...]
    summary: str
    tag: str
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    responses: dict = field(default_factory=dict)
    before_password_change: bool = False


class Routes:
    def __init__(self, tag: str):
        self.tag = tag
        self.endpoints: list[Endpoint] = []

    def route(self, method: str, path: str, *, roles: tuple[str, ...], summary: str,
              body: type[Schema] | None = None, query: type[Schema] | None = None,
              responses: dict | None = None, before_password_change: bool = False):
        def decorator(handler):
            endpoint = Endpoint(method, path, handler, roles, summary, self.tag, body, query, responses or {},
                                before_password_change)
            self.endpoints.append(endpoint)
            return handler

        return decorator

    def get(self, path: str, **kwargs):
        return self.route("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.route("POST", path, **kwargs)

    def patch(self, path: str, **kwargs):
        return self.route("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs):
        return self.route("PUT", path, **kwargs)


def bearer_token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate(request: web.Request, roles: tuple[str, ...], before_password_change: bool = False
                       ) -> User | None:
    if roles in (PUBLIC, SIGNED):
        return None
    token = bearer_token(request)
    user = await request.app[ACCOUNTS].user_for_token(token) if token else None
    if user is None:
        raise Unauthenticated("a valid bearer token is required")
    if user.must_change_password and not before_password_change:
        raise PasswordChangeRequired("change the temporary password first: POST /api/v1/me/password")
    if user.role not in roles:
        raise Forbidden(f"role {user.role} may not do this", {"allowed_roles": list(roles)})
    return user


async def read_json(request: web.Request) -> Any:
    raw = await request.read()
    try:
        return json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput("the body is not valid JSON", {"body": [str(exc)]}) from None


def validate(schema: type[Schema], payload: Any, where: str) -> dict:
    if payload is None:
        raise InvalidInput(f"a JSON {where} is required", {where: ["missing"]})
    try:
        return schema().load(payload)
    except ValidationError as exc:
        raise InvalidInput(f"invalid {where}", exc.messages if isinstance(exc.messages, dict)
                           else {where: exc.messages}) from None


def wrap(endpoint: Endpoint):
    async def handler(request: web.Request) -> web.StreamResponse:
        user = await authenticate(request, endpoint.roles, endpoint.before_password_change)
        request["user"] = user
        if endpoint.body is not None:
            request["body"] = validate(endpoint.body, await read_json(request), "body")
        if endpoint.query is not None:
            request["query"] = validate(endpoint.query, dict(request.query), "query")
        return await endpoint.handler(request)

    return handler


async def viewer(request: web.Request) -> dict | None:
    """Who is looking, with what they may see and change (`crm_chassis.scope`); once per request."""
    user: User | None = request.get("user")
    if user is None:
        return None
    if "viewer" not in request:
        request["viewer"] = await request.app[DEPARTMENTS].viewer(user)
    return request["viewer"]


async def call(request: web.Request, service: str, method: str, /, *, timeout: float | None = None,
               **kwargs) -> Any:
    """RPC to a service on behalf of this request: its request id, user and viewer travel along."""
    user: User | None = request.get("user")
    seen = await viewer(request)
    context = {"request_id": request["request_id"], "user_id": user and str(user.id),
               "user_role": user and user.role, "viewer": seen and json.dumps(seen)}
    return await request.app[RPC].call(service, method, context=context, timeout=timeout, **kwargs)


def json_response(payload: Any, status: int = 200, headers: dict | None = None) -> web.Response:
    return web.json_response(payload, status=status, headers=headers,
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


def versioned_response(record: dict, status: int = 200) -> web.Response:
    """One record with its version as the ETag an edit may send back in If-Match."""
    return json_response(record, status, headers={"ETag": f'"{record["version"]}"'})


ETAG = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def expected_version(request: web.Request) -> int | None:
    """The version an edit read: `"version": N` in the body or `If-Match: "N"`; None when neither
    is given (no check). Both given and different is a 400."""
    header = request.headers.get("If-Match")
    body = request.get("body") or {}
    versions = set()
    if header is not None:
        match = ETAG.match(header.strip())
        if match is None:
            raise InvalidInput("invalid If-Match", {"If-Match": ['a version, e.g. "3"']})
        versions.add(int(match.group(1)))
    if body.get("version") is not None:
        if not isinstance(body["version"], int) or isinstance(body["version"], bool):
            raise InvalidInput("invalid body", {"version": ["an integer"]})
        versions.add(body["version"])
    if len(versions) > 1:
        raise InvalidInput("two versions given", {"version": ["If-Match and the body's version differ"]})
    return versions.pop() if versions else None


PATH_PARAMETER = re.compile(r"{(\w+)(?::[^{}]*(?:{[^{}]*}[^{}]*)*)?}")


def openapi_path(path: str) -> tuple[str, list[str]]:
    """`/leads/{lead_id:\\d{1,18}}` -> (`/leads/{lead_id}`, ["lead_id"])."""
    return PATH_PARAMETER.sub(r"{\1}", path), PATH_PARAMETER.findall(path)


class JsonObject(Schema):
    """A body passed on to the service that validates it: here it need only be an object."""

    class Meta:
        unknown = INCLUDE
