"""The staff web console: static pages and scripts, served as they are (no build step, nothing
fetched from the internet). The console is only a client of the public API under /api/v1."""
from pathlib import Path

from aiohttp import web

CONSOLE_DIR = Path(__file__).with_name("console")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(CONSOLE_DIR / "index.html")  # headers: console_headers


async def home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/console/")


@web.middleware
async def console_headers(request: web.Request, handler):
    response = await handler(request)
    if request.path.startswith("/console/"):
        response.headers.setdefault("Cache-Control", "no-cache")  # revalidated: a new release shows at once
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def add_console(app: web.Application) -> None:
    app.router.add_get("/", home)
    app.router.add_get("/console/", index)
    app.router.add_static("/console/", CONSOLE_DIR, append_version=False)
