"""The staff Telegram bot: linking a chat to a user with a one-time code. The bot's webhook
is with every other in crm_gateway.routes.webhooks."""
from aiohttp import web

from crm_gateway.api import ANY_USER, Routes, call, json_response

routes = Routes("telegram")


@routes.post("/me/telegram-code", roles=ANY_USER,
             summary="A one-time code (15 minutes) to link your Telegram chat: send `/start CODE` to the bot")
async def link_code(request: web.Request) -> web.Response:
    user = request["user"]
    return json_response(await call(request, "notify", "telegram_link_code", user_id=user.id,
                                    sees_all=user.role in ("admin", "head_of_sales")), status=201)
