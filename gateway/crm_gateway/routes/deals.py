from aiohttp import web

from crm_gateway.api import ADMIN, SALES, STAFF, JsonObject, Routes, call, json_response

routes = Routes("deals")
DEAL_ID = "{deal_id:\\d{1,18}}"


@routes.get("/pipelines", roles=STAFF, summary="Pipelines with their stages")
async def list_pipelines(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "list_pipelines"))


@routes.post("/pipelines", roles=ADMIN, body=JsonObject,
             summary="Create a pipeline: {code, name, stages: [{code, name, kind: open|won|lost}]}")
async def create_pipeline(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "create_pipeline", **request["body"]), status=201)


@routes.post("/deals", roles=SALES, body=JsonObject,
             summary="Open a deal in the first stage of a pipeline: {pipeline, title, contact_id, amount}")
async def create_deal(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "create_deal", **request["body"]), status=201)


@routes.get(f"/deals/{DEAL_ID}", roles=STAFF, summary="A deal")
async def get_deal(request: web.Request) -> web.Response:
    return json_response(await call(request, "deals", "get_deal", deal_id=int(request.match_info["deal_id"])))


@routes.post(f"/deals/{DEAL_ID}/move", roles=SALES, body=JsonObject, summary="Move a deal: {stage}")
async def move_deal(request: web.Request) -> web.Response:
    command = {**request["body"], "deal_id": int(request.match_info["deal_id"])}
    return json_response(await call(request, "deals", "move_deal", **command))
