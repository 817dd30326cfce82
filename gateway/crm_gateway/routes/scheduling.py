from aiohttp import web
from marshmallow import Schema, fields

from crm_gateway.api import (ADMIN, ANY_USER, PUBLIC, JsonObject, Routes, call, expected_version, json_response,
                              versioned_response)

routes = Routes("scheduling")

ID = r"{%s:\d{1,18}}"
# Who books and holds slots; who reads calendars; crew members see only their own crews.
BOOKERS = ("admin", "head_of_sales", "manager", "operator")
READERS = ("admin", "head_of_sales", "manager", "operator", "controller", "crew_member")
CREW = "crew_member"


def viewer(request: web.Request) -> dict:
    """A crew member acts only on their own crews' jobs: the service filters by this."""
    user = request["user"]
    return {"viewer_user_id": user.id} if user.role == CREW else {}


def path_id(request: web.Request, name: str) -> int:
    return int(request.match_info[name])


class BookingQuery(Schema):
    crew_id = fields.Integer(load_default=None)
    deal_id = fields.Integer(load_default=None)
    date_from = fields.String(load_default=None, metadata={"description": "YYYY-MM-DD, a day in the company's zone"})
    date_to = fields.String(load_default=None, metadata={"description": "YYYY-MM-DD, included"})


class CalendarQuery(Schema):
    date = fields.String(required=True, metadata={"description": "YYYY-MM-DD"})
    days = fields.Integer(load_default=1, metadata={"description": "1 (a day) or 7 (its week from Monday)"})


class SlotQuery(Schema):
    skill = fields.String(required=True)
    zone = fields.String(load_default=None)
    duration_minutes = fields.Integer(required=True)
    date_from = fields.String(required=True)
    date_to = fields.String(required=True)
    limit = fields.Integer(load_default=10)
    buffer_minutes = fields.Integer(load_default=30)
    step_minutes = fields.Integer(load_default=30)


class AbsenceQuery(Schema):
    staff_id = fields.Integer(load_default=None)


class IcsQuery(Schema):
    token = fields.String(required=True)


# -- people and crews -------------------------------------------------------------------

@routes.get("/staff", roles=READERS, summary="Staff members with their skills")
async def list_staff(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "list_staff"))


@routes.post("/staff", roles=ADMIN, body=JsonObject,
             summary="Add a staff member: {full_name, phone, skills: [..], user_id (their login, optional)}")
async def create_staff(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "create_staff", **request["body"]), status=201)


@routes.get("/crews", roles=ANY_USER,
            summary="Crews with leaders, members, zones, hours and time zone (a crew member: their own crews)")
async def list_crews(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "list_crews", **viewer(request)))


@routes.post("/crews", roles=ADMIN, body=JsonObject, summary=(
    "Create a crew (a person working alone is a crew of one): {name, skill, leader_name, leader_phone, "
    "leader_staff_id, member_ids, zones, time_zone, working_hours: {mon: [\"09:00\", \"18:00\"], .., "
    "sun: null}, hours_exceptions: {\"2026-12-31\": null}}; hours default to every day 09:00-18:00"))
async def create_crew(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "create_crew", **request["body"]), status=201)


@routes.post("/crews/" + ID % "crew_id", roles=ADMIN, body=JsonObject,
             summary="Change a crew: any of leader_*, member_ids, zones, time_zone, working_hours, hours_exceptions")
async def update_crew(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "update_crew", **request["body"],
                                    crew_id=path_id(request, "crew_id")))


@routes.post("/crews/" + ID % "crew_id" + "/ics-link", roles=ADMIN, summary=(
    "A new secret ICS link for the crew's phone calendars; the previous link stops working"))
async def regenerate_ics_link(request: web.Request) -> web.Response:
    answer = await call(request, "scheduling", "regenerate_ics_token", crew_id=path_id(request, "crew_id"))
    url = request.url.with_path("/api/v1/calendars/crew.ics").with_query(token=answer["token"])
    return json_response({**answer, "url": str(url)}, status=201)


@routes.get("/absences", roles=READERS, query=AbsenceQuery, summary="Absences with their phase")
async def list_absences(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "list_absences", **request["query"]))


@routes.post("/absences", roles=ADMIN, body=JsonObject, summary=(
    "Record an absence: {staff_id, kind: vacation|sick_leave|dismissal, starts_on, ends_on (not for a "
    "dismissal), note}; blocks the person's crews; 409 lists the jobs to move first"))
async def create_absence(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "create_absence", **request["body"]), status=201)


# -- availability, holds, bookings ------------------------------------------------------

@routes.get("/slots", roles=READERS, query=SlotQuery, summary=(
    "The next free slots for a skill (and zone) in a date range, respecting working hours, absences, "
    "bookings, live holds and a travel buffer"))
async def find_slots(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "find_slots", **request["query"]))


@routes.post("/holds", roles=BOOKERS, body=JsonObject, summary=(
    "Keep a slot for a few minutes while on the phone: {crew_id, starts_at, ends_at, minutes (default 5)}; "
    "409 if taken, 422 outside working hours or during an absence"))
async def hold(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "hold", **request["body"]), status=201)


@routes.post("/holds/" + ID % "hold_id" + "/book", roles=BOOKERS, body=JsonObject, summary=(
    "Turn a live hold into a booking: {address, deal_id, client_name, client_phone}; 409 once it expired"))
async def confirm_hold(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "confirm_hold", **request["body"],
                                    hold_id=path_id(request, "hold_id")), status=201)


@routes.post("/holds/" + ID % "hold_id" + "/release", roles=BOOKERS, summary="Let a hold go before it expires")
async def release_hold(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "release_hold", hold_id=path_id(request, "hold_id")))


@routes.get("/bookings", roles=ANY_USER, query=BookingQuery,
            summary="Bookings by start time, by crew, deal or days (date_from..date_to, jobs touching them); "
                    "a crew member sees their own crews' only; each with its crew's open reschedule_request")
async def list_bookings(request: web.Request) -> web.Response:
    query = {key: value for key, value in request["query"].items() if value is not None}
    return json_response(await call(request, "scheduling", "list_bookings", **query, **viewer(request)))


@routes.post("/bookings", roles=BOOKERS, body=JsonObject, summary=(
    "Book a crew: {crew_id, starts_at, ends_at, deal_id, address, client_name, client_phone}; "
    "409 if the crew is busy, 422 outside working hours or during an absence"))
async def book(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "book", **request["body"]), status=201)


@routes.post("/bookings/" + ID % "booking_id" + "/reschedule", roles=(*BOOKERS, CREW), body=JsonObject, summary=(
    "Move a booking in one change: {starts_at, ends_at, by: client|crew, reason}; a crew member moves "
    "their own crew's jobs, as the crew"))
async def reschedule(request: web.Request) -> web.Response:
    body = {**request["body"], **({"by": "crew"} if request["user"].role == CREW else {})}
    return json_response(await call(request, "scheduling", "reschedule", **body, **viewer(request),
                                    booking_id=path_id(request, "booking_id")))


@routes.post("/bookings/" + ID % "booking_id" + "/reschedule-request", roles=(CREW,), body=JsonObject, summary=(
    "A crew member asks to move their own crew's job: {reason (up to 500 characters), preferred_date? "
    "(YYYY-MM-DD)}; the booking shows it as reschedule_request until the job is moved, and the deal's "
    "responsible gets a task and a notification"))
async def request_reschedule(request: web.Request) -> web.Response:
    command = {**request["body"], **viewer(request), "booking_id": path_id(request, "booking_id")}
    return json_response(await call(request, "scheduling", "request_reschedule", **command))


@routes.patch("/bookings/" + ID % "booking_id", roles=BOOKERS, body=JsonObject, responses={
    "409": {"description": "changed since the version read (details.version)"}}, summary=(
    "Edit a job's client details: only what changes of {client_name, client_phone (any format; kept in "
    "E.164), address, comment}; the version read as `version` or If-Match"))
async def edit_booking(request: web.Request) -> web.Response:
    edit = {**request["body"], "version": expected_version(request), "booking_id": path_id(request, "booking_id")}
    return versioned_response(await call(request, "scheduling", "edit_booking", **edit))


@routes.post("/bookings/" + ID % "booking_id" + "/cancel", roles=BOOKERS, body=JsonObject,
             summary="Cancel a booking: {reason}")
async def cancel(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "cancel", **request["body"],
                                    booking_id=path_id(request, "booking_id")))


@routes.post("/bookings/" + ID % "booking_id" + "/complete", roles=(*BOOKERS, CREW), body=JsonObject,
             summary="Close a job with its result: {result: success|failure, failure_reason}")
async def complete(request: web.Request) -> web.Response:
    return json_response(await call(request, "scheduling", "complete", **request["body"], **viewer(request),
                                    booking_id=path_id(request, "booking_id")))


# -- calendars --------------------------------------------------------------------------

@routes.get("/crews/" + ID % "crew_id" + "/calendar", roles=READERS, query=CalendarQuery, summary=(
    "A crew's day or week: working hours and jobs, each with its deal's stage (deal_stage) to colour by status"))
async def crew_calendar(request: web.Request) -> web.Response:
    calendar = await call(request, "scheduling", "calendar", **request["query"], **viewer(request),
                          crew_id=path_id(request, "crew_id"))
    items = [item for day in calendar["days"] for item in day["items"]]
    deal_ids = sorted({item["deal_id"] for item in items if item.get("deal_id")})
    stages = await call(request, "deals", "deal_stages", deal_ids=deal_ids) if deal_ids else {}
    for item in items:  # the deal's stage, for colour by status
        item["deal_stage"] = stages.get(str(item.get("deal_id")))
    return json_response(calendar)


@routes.get("/calendars/crew.ics", roles=PUBLIC, query=IcsQuery, summary=(
    "A crew's jobs as an iCalendar feed for phone calendars; the secret token is the only key"),
    responses={"404": {"description": "unknown or replaced token"}})
async def crew_ics(request: web.Request) -> web.Response:
    text = await call(request, "scheduling", "ics_feed", token=request["query"]["token"])
    return web.Response(text=text, content_type="text/calendar", charset="utf-8",
                        headers={"Cache-Control": "private, max-age=300"})
