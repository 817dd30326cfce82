"""The lead pipeline: stages are data; a gate lists what a move still misses."""
from dataclasses import dataclass

CLIENT_TYPES = ("private", "business")
BUSINESS_FIELDS = ("company_name", "company_category")
COMPANY_CATEGORIES = ("A", "B", "C")


@dataclass(frozen=True)
class Stage:
    code: str
    name: str
    kind: str  # open | won | lost: each lost reason is a lost stage of its own
    required_fields: tuple[str, ...] = ()
    deprecated: bool = False


class MoveRefused(Exception):
    def __init__(self, reason: str, missing: list[str] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.missing = missing or []


def missing_fields(target: Stage, values: dict) -> list[str]:
    required = list(target.required_fields)
    if target.kind == "won" and values.get("client_type") == "business":
        required += [field for field in BUSINESS_FIELDS if field not in required]
    return [field for field in required if values.get(field) in (None, "", [])]


def check_move(current: Stage, target: Stage, values: dict) -> None:
    """Raise MoveRefused unless the lead may go from `current` to `target` with `values`."""
    if current.kind == "won":
        raise MoveRefused("the lead is converted: it lives on as a client and a deal")
    if target.deprecated:
        raise MoveRefused(f"stage {target.code} is deprecated")
    if values.get("client_type") not in (None, *CLIENT_TYPES):
        raise MoveRefused("client_type must be private or business", ["client_type"])
    if values.get("company_category") not in (None, *COMPANY_CATEGORIES):
        raise MoveRefused("company_category must be A, B or C", ["company_category"])
    missing = missing_fields(target, values)
    if missing:
        raise MoveRefused(f"stage {target.code} needs: {', '.join(missing)}", missing)
