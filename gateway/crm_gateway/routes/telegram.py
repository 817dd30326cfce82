"""The staff Telegram bot: linking a chat to a user with a one-time code, and the bot's
webhook, authenticated by the secret token Telegram sends with every update."""
import hmac

from aiohttp import web

from crm_gateway.api import ANY_USER, SIGNED, Routes, call, json_response, read_json
from crm_gateway.context import SETTINGS
from crm_gateway.errors import Forbidden

routes = Routes("telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@routes.post("/me/telegram-code", roles=ANY_USER,
             summary="A one-time code (15 minutes) to link your Telegram chat: send `/start CODE` to the bot")
async def link_code(request: web.Request) -> web.Response:
    user = request["user"]
    return json_response(await call(request, "notify", "telegram_link_code", user_id=user.id,
                                    sees_all=user.role in ("admin", "head_of_sales")), status=201)


@routes.post("/webhooks/telegram", roles=SIGNED,
             summary="Updates from Telegram (setWebhook with secret_token): X-Telegram-Bot-Api-Secret-Token "
                     "must match; chats that are not linked get no answer")
async def telegram_webhook(request: web.Request) -> web.Response:
    secret = request.app[SETTINGS].telegram_webhook_secret
    if not secret or not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
        raise Forbidden("bad secret token")
    update = await read_json(request)
    message = (update.get("message") or update.get("edited_message")) if isinstance(update, dict) else None
    if not isinstance(message, dict) or not isinstance(message.get("chat"), dict) or "text" not in message:
        return json_response({"ok": True, "handled": False})  # not a text message: nothing to do
    handled = await call(request, "notify", "telegram_update", update_id=update.get("update_id"),
                         chat_id=message["chat"].get("id"), text=message["text"])
    return json_response({"ok": True, "handled": handled["replied"]})
