"""Operations: parked events of every service, their replay, and the reports rebuild."""
import asyncio

from aiohttp import web

from crm_gateway.api import ADMIN, Routes, call, json_response
from crm_gateway.context import SETTINGS
from crm_gateway.errors import NotFound

routes = Routes("admin")


@routes.get("/admin/parked-events", roles=ADMIN, summary="Events parked by every service after failing every retry")
async def parked_events(request: web.Request) -> web.Response:
    services = request.app[SETTINGS].services
    lists = await asyncio.gather(*(call(request, service, "parked_events") for service in services))
    return json_response({service: events for service, events in zip(services, lists)})


@routes.post("/admin/parked-events/{service}/{parked_id:\\d{1,18}}/replay", roles=ADMIN,
             summary="Apply a parked event again (once: the inbox still guards it)")
async def replay(request: web.Request) -> web.Response:
    service = request.match_info["service"]
    if service not in request.app[SETTINGS].services:
        raise NotFound(f"no service {service}", {"service": service})
    result = await call(request, service, "replay_parked", parked_id=int(request.match_info["parked_id"]))
    if result.get("error") == "not found":
        raise NotFound("no such parked event", {"parked_id": result["id"]})
    return json_response(result)


@routes.post("/admin/reports/rebuild", roles=ADMIN, summary="Rebuild every report from the events reports keeps")
async def rebuild_reports(request: web.Request) -> web.Response:
    return json_response(await call(request, "reports", "rebuild", timeout=600))
