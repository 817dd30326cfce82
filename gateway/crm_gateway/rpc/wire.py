"""Decoding nameko reply bodies, including kombu >= 5.3's typed markers for non-JSON values."""
import base64
import json
from typing import Any


def _kombu_markers(obj: dict) -> Any:
    kind = obj.get("__type__")
    if kind is None or "__value__" not in obj or len(obj) != 2:
        return obj
    value = obj["__value__"]
    if kind in ("decimal", "datetime", "date", "time", "uuid"):
        return str(value)  # the gateway passes these on as JSON strings
    if kind in ("bytes", "base64"):
        return base64.b64decode(value).decode("utf-8", "replace") if kind == "base64" else value
    return obj


def decode_body(raw: bytes) -> dict:
    return json.loads(raw, object_hook=_kombu_markers)
