from aiohttp import web
from marshmallow import Schema, ValidationError, fields, validates_schema

from crm_gateway.api import SALES, Routes, call, json_response

routes = Routes("reports")


class LeadsPerDayQuery(Schema):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    source = fields.String(load_default=None)

    @validates_schema
    def ordered(self, data, **kwargs):
        if data["date_from"] > data["date_to"]:
            raise ValidationError("must not be after date_to", "date_from")


@routes.get("/reports/leads-per-day", roles=SALES + ("controller",), query=LeadsPerDayQuery,
            summary="New leads per day (company time zone) and source")
async def leads_per_day(request: web.Request) -> web.Response:
    query = request["query"]
    return json_response(await call(
        request, "reports", "leads_per_day", date_from=query["date_from"].isoformat(),
        date_to=query["date_to"].isoformat(), source=query["source"],
    ))
