"""Custom fields of a pipeline and their types; values are kept as JSON primitives."""
from datetime import date
from decimal import Decimal, InvalidOperation

FIELD_TYPES = ("text", "number", "money", "date", "list", "user", "file", "boolean")


class FieldError(ValueError):
    pass


def normalize(kind: str, value, options: list | None = None):
    """The stored form of `value` for a field of type `kind`; None clears the field."""
    if value is None or value == "":
        return None
    if kind == "text":
        if not isinstance(value, str) or len(value) > 5000:
            raise FieldError("must be text of at most 5000 characters")
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FieldError("must be a number")
        return value
    if kind == "money":
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise FieldError("must be an amount such as 1500.00") from None
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")) or abs(amount) >= 10**12:
            raise FieldError("must be an amount with at most two decimals")
        return str(amount.quantize(Decimal("0.01")))
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise FieldError("must be a date YYYY-MM-DD") from None
    if kind == "list":
        if value not in (options or []):
            raise FieldError(f"must be one of: {', '.join(map(str, options or []))}")
        return value
    if kind == "user":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise FieldError("must be a user id")
        return value
    if kind == "file":
        if not isinstance(value, str) or not value:
            raise FieldError("must be a document id")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise FieldError("must be true or false")
        return value
    raise FieldError(f"unknown field type {kind}")


def normalize_all(definitions: dict[str, dict], values: dict) -> tuple[dict, dict[str, list[str]]]:
    """Normalized values and, per field, what is wrong; unknown fields are errors too."""
    normalized, errors = {}, {}
    for code, value in values.items():
        definition = definitions.get(code)
        if definition is None:
            errors[code] = ["no such field in this pipeline"]
            continue
        try:
            normalized[code] = normalize(definition["type"], value, definition.get("options"))
        except FieldError as exc:
            errors[code] = [str(exc)]
    return normalized, errors


def missing_for_stage(required: list[str], values: dict) -> list[str]:
    """The stage gate: required fields that are empty."""
    return [code for code in required if values.get(code) in (None, "", [])]
