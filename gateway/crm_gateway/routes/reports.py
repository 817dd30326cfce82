"""Reports: KPIs per manager, ABC contact control, funnels, losses, forecast, operations, segments.

Every table answers JSON by default and a file with `format=csv` or `format=xlsx`; charts are SVG.
A manager sees only their own numbers (asking for someone else's is a 403); the head of sales
and the admin see everyone's.
"""
import base64
from datetime import date

from aiohttp import web
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from crm_gateway.api import SALES, Routes, call, json_response
from crm_gateway.errors import Forbidden

routes = Routes("reports")
HEADS = ("admin", "head_of_sales")
FORMAT = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")),
                       metadata={"description": "json, or a file: csv (semicolon-separated, UTF-8) or xlsx"})
FILE_RESPONSES = {"200": {"description": "JSON, or the table as text/csv or an XLSX workbook when `format` asks"}}
SVG_RESPONSES = {"200": {"description": "an SVG image (image/svg+xml)"}}


class PeriodQuery(Schema):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)

    @validates_schema
    def ordered(self, data, **kwargs):
        if data["date_from"] > data["date_to"]:
            raise ValidationError("must not be after date_to", "date_from")


class LeadsPerDayQuery(PeriodQuery):
    source = fields.String(load_default=None)


class KpiQuery(PeriodQuery):
    manager_id = fields.Integer(load_default=None)
    indicators = fields.String(load_default=None, metadata={"description": "indicator codes, comma-separated"})
    format = FORMAT


class KpiChartQuery(PeriodQuery):
    manager_id = fields.Integer(load_default=None)
    indicators = fields.String(load_default=None, metadata={"description": "indicator codes, comma-separated"})


class AbcChartQuery(Schema):
    responsible_id = fields.Integer(load_default=None)
    company_id = fields.Integer(load_default=None)
    category = fields.String(load_default=None, validate=validate.OneOf(("A", "B", "C")))
    overdue = fields.String(load_default="all", validate=validate.OneOf(("all", "yes", "no")))


class AbcQuery(AbcChartQuery):
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=100_000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    format = FORMAT


class FunnelChartQuery(PeriodQuery):
    pipeline = fields.String(required=True)


class FunnelQuery(FunnelChartQuery):
    format = FORMAT


class LossesQuery(PeriodQuery):
    pipeline = fields.String(load_default=None)
    format = FORMAT


class ForecastQuery(Schema):
    pipeline = fields.String(load_default=None)
    format = FORMAT


class ProblemsQuery(Schema):
    responsible_id = fields.Integer(load_default=None)
    format = FORMAT


class CrewLoadQuery(PeriodQuery):
    format = FORMAT


class TableQuery(Schema):
    format = FORMAT


class SegmentBody(Schema):
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("deals", "companies")))
    filters = fields.Dict(load_default=dict, metadata={
        "description": "deals: pipeline, stage, responsible_id, open_only, membership_ends_within_days; "
                       "companies: responsible_id, category, overdue (all|yes|no)"})


def _params(query: dict) -> dict:
    """The query as JSON primitives for the service (dates as ISO strings)."""
    return {key: value.isoformat() if isinstance(value, date) else value for key, value in query.items()}


def _own(request: web.Request, query: dict, key: str) -> dict:
    """A manager's report is their own: their id is the filter, another's is refused."""
    user = request["user"]
    if user.role == "manager":
        if query.get(key) not in (None, user.id):
            raise Forbidden("a manager sees only their own numbers", {key: [str(query[key])]})
        query = {**query, key: user.id}
    return query


def _indicators(query: dict) -> dict:
    if query.get("indicators"):
        return {**query, "indicators": [code.strip() for code in query["indicators"].split(",") if code.strip()]}
    return {**query, "indicators": None}


def _reply(result) -> web.Response:
    if isinstance(result, dict) and "content_base64" in result:
        return web.Response(body=base64.b64decode(result["content_base64"]), headers={
            "Content-Type": result["content_type"],
            "Content-Disposition": f'attachment; filename="{result["filename"]}"'})
    return json_response(result)


@routes.get("/reports/leads-per-day", roles=SALES + ("controller",), query=LeadsPerDayQuery,
            summary="New leads per day (company time zone) and source")
async def leads_per_day(request: web.Request) -> web.Response:
    return json_response(await call(request, "reports", "leads_per_day", **_params(request["query"])))


@routes.get("/reports/kpi", roles=SALES, query=KpiQuery, responses=FILE_RESPONSES,
            summary="The twelve daily indicators per manager with the change against the day before (registry)")
async def kpi(request: web.Request) -> web.Response:
    query = _indicators(_own(request, request["query"], "manager_id"))
    return _reply(await call(request, "reports", "kpi_registry", **_params(query)))


@routes.get("/reports/kpi/chart.svg", roles=SALES, query=KpiChartQuery, responses=SVG_RESPONSES,
            summary="KPI dynamics over the period as an SVG chart")
async def kpi_chart(request: web.Request) -> web.Response:
    query = _indicators(_own(request, request["query"], "manager_id"))
    return _reply(await call(request, "reports", "kpi_registry", format="svg", **_params(query)))


@routes.get("/reports/abc", roles=SALES, query=AbcQuery, responses=FILE_RESPONSES,
            summary="ABC contact control: last call, last e-mail and overdue flag per company, with overdue share per employee")
async def abc(request: web.Request) -> web.Response:
    query = _own(request, request["query"], "responsible_id")
    return _reply(await call(request, "reports", "abc", **_params(query)))


@routes.get("/reports/abc/chart.svg", roles=SALES, query=AbcChartQuery, responses=SVG_RESPONSES,
            summary="Overdue share per employee as an SVG chart")
async def abc_chart(request: web.Request) -> web.Response:
    query = _own(request, request["query"], "responsible_id")
    return _reply(await call(request, "reports", "abc", format="svg", **_params(query)))


@routes.get("/reports/funnel", roles=HEADS, query=FunnelQuery, responses=FILE_RESPONSES,
            summary="Conversion stage to stage and time in stage for the deals of a pipeline created in the period")
async def funnel(request: web.Request) -> web.Response:
    return _reply(await call(request, "reports", "funnel", **_params(request["query"])))


@routes.get("/reports/funnel/chart.svg", roles=HEADS, query=FunnelChartQuery, responses=SVG_RESPONSES,
            summary="The funnel as an SVG chart")
async def funnel_chart(request: web.Request) -> web.Response:
    return _reply(await call(request, "reports", "funnel", format="svg", **_params(request["query"])))


@routes.get("/reports/losses", roles=HEADS, query=LossesQuery, responses=FILE_RESPONSES,
            summary="Lost reasons of leads and deals in the period: counts and shares")
async def losses(request: web.Request) -> web.Response:
    return _reply(await call(request, "reports", "losses", **_params(request["query"])))


@routes.get("/reports/forecast", roles=HEADS, query=ForecastQuery, responses=FILE_RESPONSES,
            summary="Sales forecast: open deals per stage weighted by the stage's probability")
async def forecast(request: web.Request) -> web.Response:
    return _reply(await call(request, "reports", "forecast", **_params(request["query"])))


@routes.get("/reports/problem-orders", roles=SALES, query=ProblemsQuery, responses=FILE_RESPONSES,
            summary="Open deals with overdue tasks, stuck in a stage beyond its norm, or with no next contact planned")
async def problem_orders(request: web.Request) -> web.Response:
    query = _own(request, request["query"], "responsible_id")
    return _reply(await call(request, "reports", "problem_orders", **_params(query)))


@routes.get("/reports/delivery", roles=HEADS, query=CrewLoadQuery, responses=FILE_RESPONSES,
            summary="Outbound messages per channel: delivered, failed, in flight, and their shares")
async def delivery(request: web.Request) -> web.Response:
    return _reply(await call(request, "reports", "delivery", **_params(request["query"])))


@routes.get("/reports/crew-load", roles=HEADS, query=CrewLoadQuery, responses=FILE_RESPONSES,
            summary="Bookings and booked hours per crew per day")
async def crew_load(request: web.Request) -> web.Response:
    return _reply(await call(request, "reports", "crew_load", **_params(request["query"])))


@routes.get("/reports/segments", roles=SALES, summary="Saved client segments")
async def segments(request: web.Request) -> web.Response:
    return json_response(await call(request, "reports", "segments"))


@routes.post("/reports/segments", roles=HEADS, body=SegmentBody,
             summary="Save a filter over deals or companies as a client segment")
async def create_segment(request: web.Request) -> web.Response:
    segment = await call(request, "reports", "create_segment", created_by=request["user"].id, **request["body"])
    return json_response(segment, status=201)


@routes.get("/reports/segments/{segment_id:\\d{1,18}}/clients", roles=SALES, query=TableQuery,
            responses=FILE_RESPONSES, summary="The clients a segment selects today (for campaigns)")
async def segment_clients(request: web.Request) -> web.Response:
    return _reply(await call(request, "reports", "segment_clients", segment_id=int(request.match_info["segment_id"]),
                             **request["query"]))
