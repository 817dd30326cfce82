"""Webhooks from outside: each authenticated by its own signature, answered once durable."""
import hashlib
import hmac

from aiohttp import web

from crm_gateway.api import SIGNED, Routes, call, json_response, read_json
from crm_gateway.context import SETTINGS
from crm_gateway.errors import Forbidden, InvalidInput

routes = Routes("webhooks")
SIGNATURE_HEADER = "X-Signature"


def form_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@routes.post("/webhooks/forms/{site}", roles=SIGNED,
             summary="A request from a web form; signed with the site's secret: "
                     "X-Signature: sha256=HMAC-SHA256(secret, raw body)")
async def web_form(request: web.Request) -> web.Response:
    site = request.match_info["site"]
    secret = request.app[SETTINGS].form_sites.get(site)
    raw = await request.read()
    given = request.headers.get(SIGNATURE_HEADER, "")
    if secret is None or not hmac.compare_digest(given, form_signature(secret, raw)):
        raise Forbidden("unknown site or bad signature")
    form = await read_json(request)
    if not isinstance(form, dict):
        raise InvalidInput("the body must be a JSON object", {"body": ["must be an object"]})
    # leads commits the lead before it answers, so a 2xx means the request is durable.
    lead = await call(request, "leads", "intake_web_form", form={**form, "site": site})
    return json_response(lead, status=200 if lead.pop("duplicate") else 201)
