"""Every failure leaves the gateway as `{"error": code, "message", "details"}` with a 4xx/5xx."""
import json
import logging

from aiohttp import web

from crm_gateway.rpc.nameko_amqp import RemoteError, ServiceUnavailable

log = logging.getLogger(__name__)


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InvalidInput(ApiError):
    status, code = 400, "invalid_input"


class Unauthenticated(ApiError):
    status, code = 401, "unauthenticated"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class PasswordChangeRequired(ApiError):
    status, code = 403, "password_change_required"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


class Unprocessable(ApiError):
    status, code = 422, "unprocessable"


class Unavailable(ApiError):
    status, code = 503, "service_unavailable"


class BadGateway(ApiError):
    status, code = 502, "bad_gateway"


class HttpError(ApiError):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.code = reason.lower().replace(" ", "_")


# Service errors (crm_chassis.errors) by type name; their exc_args are [message, details].
REMOTE_ERRORS = {
    "InvalidInput": InvalidInput,
    "Forbidden": Forbidden,
    "NotFound": NotFound,
    "Conflict": Conflict,
    "Unprocessable": Unprocessable,
}


def from_remote(exc: RemoteError) -> ApiError:
    error_cls = REMOTE_ERRORS.get(exc.exc_type)
    if error_cls is None:
        log.error("unexpected remote error %s from %s: %s", exc.exc_type, exc.exc_path, exc.value)
        return BadGateway("a service failed", {"exc_type": exc.exc_type})
    message, details = (list(exc.exc_args) + ["", "{}"])[:2]
    try:
        details = json.loads(details) if isinstance(details, str) else details
    except json.JSONDecodeError:
        details = {}
    return error_cls(str(message), details if isinstance(details, dict) else {})


def error_response(error: ApiError, request_id: str | None = None) -> web.Response:
    body = {"error": error.code, "message": error.message, "details": error.details}
    if request_id:
        body["request_id"] = request_id
    return web.json_response(body, status=error.status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


@web.middleware
async def error_middleware(request: web.Request, handler):
    request_id = request.get("request_id")
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error, request_id)
    except RemoteError as exc:
        return error_response(from_remote(exc), request_id)
    except ServiceUnavailable as exc:
        return error_response(Unavailable(f"service {exc.service} unavailable: {exc.reason}",
                                          {"service": exc.service}), request_id)
    except web.HTTPException as exc:  # aiohttp's own: unknown route, wrong method, body too large
        if exc.status < 400:
            raise
        return error_response(HttpError(exc.status, exc.reason), request_id)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(HttpError(500, "Internal Error"), request_id)
