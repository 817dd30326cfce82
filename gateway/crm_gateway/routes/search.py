"""The one search: `GET /search?q=` over contacts, companies and leads (leads) and deals (deals), asked
at once and merged into one ranked list."""
import asyncio

from aiohttp import web
from marshmallow import Schema, ValidationError, fields, validate

from crm_gateway.api import STAFF, Routes, call, json_response

routes = Routes("search")
KINDS = {"contact": "leads", "company": "leads", "lead": "leads", "deal": "deals"}  # who finds each kind


class Kinds(fields.String):
    """`types=contact,deal`: a comma-separated subset of the kinds."""

    def _deserialize(self, value, attr, data, **kwargs) -> list[str]:
        kinds = [kind.strip() for kind in super()._deserialize(value, attr, data, **kwargs).split(",") if kind.strip()]
        unknown = [kind for kind in kinds if kind not in KINDS]
        if unknown or not kinds:
            raise ValidationError(f"a comma-separated list of {', '.join(KINDS)}")
        return kinds


class SearchQuery(Schema):
    q = fields.String(required=True, validate=[validate.Length(max=100), validate.Regexp(r"^\s*\S", error="is blank")],
                      metadata={"description": "a name, phone in any format or its last digits, e-mail, INN, "
                                               "deal number (#123) or words of a title"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    types = Kinds(load_default=lambda: list(KINDS), metadata={"description": "e.g. `contact,deal`; every kind by default"})


def merged(answers: list[dict], limit: int) -> dict:
    """One list, best score first (among equals: contacts, companies, leads, deals; newest first),
    `limit` long; `counts` says how many of each kind were found (up to `limit` each)."""
    order = list(KINDS)
    results = sorted((line for answer in answers for line in answer["results"]),
                     key=lambda line: (-line["score"], order.index(line["type"]), -line["id"]))
    return {"results": results[:limit], "counts": {kind: n for answer in answers for kind, n in answer["counts"].items()}}


@routes.get("/search", roles=STAFF, query=SearchQuery,
            summary="Search everything: contacts, companies, leads and deals by name, phone (any format, or its "
                    "last 4-10 digits), e-mail, INN, deal number or title; one list ranked by score")
async def search(request: web.Request) -> web.Response:
    q, limit, kinds = (request["query"][key] for key in ("q", "limit", "types"))
    of_leads = [kind for kind in kinds if KINDS[kind] == "leads"]
    asks = ([call(request, "leads", "search", q=q, limit=limit, types=of_leads)] if of_leads else []) + (
        [call(request, "deals", "search", q=q, limit=limit)] if "deal" in kinds else [])
    return json_response(merged(list(await asyncio.gather(*asks)), limit))
