"""The three ways a webhook's sender proves who it is, each a decorator on the route's handler.

    @routes.post("/webhooks/pbx", roles=SIGNED, summary=...)
    @verify_hmac(lambda request: request.app[SETTINGS].pbx_secret)
    async def pbx_call(request): ...

A request that fails its guard is refused with 403 before the handler reads anything from it;
a guard whose secret is not configured refuses every request. Secrets are compared in
constant time.
"""
import functools
import hashlib
import hmac
from typing import Awaitable, Callable

from aiohttp import web
from twilio.request_validator import RequestValidator

from crm_gateway.context import SETTINGS
from crm_gateway.errors import Forbidden

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Guard = Callable[[Handler], Handler]
SecretOf = Callable[[web.Request], str | None]

SIGNATURE_HEADER = "X-Signature"
TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _guard(check: Callable[[web.Request], Awaitable[bool]], refusal: str) -> Guard:
    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            if not await check(request):
                raise Forbidden(refusal)
            return await handler(request)

        return guarded

    return decorate


def _same(given: str, expected: str) -> bool:
    # As bytes: compare_digest refuses non-ASCII strings, and a header may hold anything.
    return hmac.compare_digest(given.encode(errors="surrogateescape"), expected.encode())


def hmac_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_hmac(secret_of: SecretOf) -> Guard:
    """`X-Signature: sha256=HMAC-SHA256(secret, raw body)` with the secret `secret_of(request)`."""
    async def signed(request: web.Request) -> bool:
        secret = secret_of(request)
        return bool(secret) and _same(request.headers.get(SIGNATURE_HEADER, ""),
                                      hmac_signature(secret, await request.read()))

    return _guard(signed, "unknown sender or bad signature")


async def _signed_by_twilio(request: web.Request) -> bool:
    """Twilio signs the public URL it called (GATEWAY_PUBLIC_URL + path) and the form with the
    account's auth token; the twilio library checks it."""
    settings = request.app[SETTINGS]
    return bool(settings.twilio_auth_token) and RequestValidator(settings.twilio_auth_token).validate(
        settings.public_url + request.path_qs, await request.post(),
        request.headers.get(TWILIO_SIGNATURE_HEADER, ""))


verify_twilio: Guard = _guard(_signed_by_twilio, "bad Twilio signature")


def verify_telegram_secret(secret_of: SecretOf) -> Guard:
    """Telegram sends the bot's `secret_token` (given to setWebhook) with every update."""
    async def from_the_bot(request: web.Request) -> bool:
        secret = secret_of(request)
        return bool(secret) and _same(request.headers.get(TELEGRAM_SECRET_HEADER, ""), secret)

    return _guard(from_the_bot, "bad Telegram secret token")
