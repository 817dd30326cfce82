from aiohttp import web
from marshmallow import Schema, fields

from crm_gateway.api import ADMIN, ANY_USER, STAFF, JsonObject, Routes, call, json_response

routes = Routes("scheduling")


class BookingQuery(Schema):
    crew_id = fields.Integer(load_default=None)


@routes.get("/crews", roles=ANY_USER, summary="Crews with their leaders")
async def list_crews(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "list_crews"))


@routes.post("/crews", roles=ADMIN, body=JsonObject,
             summary="Create a crew: {name, skill, leader_name, leader_phone}")
async def create_crew(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "create_crew", **request["body"]), status=201)


@routes.get("/bookings", roles=ANY_USER, query=BookingQuery, summary="Bookings by start time")
async def list_bookings(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "list_bookings", **request["query"]))


@routes.post("/bookings", roles=STAFF, body=JsonObject,
             summary="Book a crew: {crew_id, starts_at, ends_at, deal_id, address}; 409 if the crew is busy")
async def book(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "book", **request["body"]), status=201)
