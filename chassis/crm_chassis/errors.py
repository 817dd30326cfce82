"""Errors a service raises to its callers; the gateway maps them to HTTP by type name.

`exc_args` travel over RPC as `[message, details as JSON text]`: nameko turns every
non-string argument into a string, so the details go as JSON to keep their numbers and lists.
For `InvalidInput`, details are `{field: [problems]}`.
"""
import json


class ServiceError(Exception):
    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message, json.dumps(details or {}, ensure_ascii=False, default=str))
        self.message = message
        self.details = details or {}


class InvalidInput(ServiceError):
    """400: the request is malformed or fails validation."""


class Forbidden(ServiceError):
    """403: this user may not do this to this thing (the gateway checks roles; services check owners)."""


class NotFound(ServiceError):
    """404: the thing asked for does not exist."""


class Conflict(ServiceError):
    """409: the change collides with the current state (a taken slot, a duplicate)."""


class Unprocessable(ServiceError):
    """422: well-formed, but a business rule refuses it (a stage gate, say)."""
