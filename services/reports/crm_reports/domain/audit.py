"""The audit trail's reading of any event: what it is about, what happened, by whom, what changed.

By the house's convention an event `<entity>.<action>.v<N>` names its record as
`data["<entity>_id"]`, a change carries `changes: {field: {from, to}}`, and the envelope carries
its `actor`. An entry is also about every other record the event names (`<entity>_id` or
`<entity>_ids` of a linkable entity), so a card's history shows everything that touched it: a
lead converted into a deal is on both, a task's event is on its deal, a communication is on its
contact, lead, deal and company.
"""
from dataclasses import dataclass

# Events whose own record is not `<entity>_id` by the convention: (entity, key of its id).
SUBJECT_KEYS = {
    "contact.merged.v1": ("contact", "kept_id"),
    "ownership.reassigned.v1": ("ownership", "batch_id"),
    "ownership.returned.v1": ("ownership", "batch_id"),
    "notification.created.v1": ("notification", "id"),
    "booking.request_failed.v1": ("deal", "deal_id"),
    # the API names a pipeline by its code (/pipelines/{code}), so its history does too
    "pipeline.created.v1": ("pipeline", "code"),
    "pipeline.changed.v1": ("pipeline", "code"),
}
# Other records an event is about, under keys the convention cannot guess.
ALSO_ABOUT = {
    "contact.merged.v1": (("contact", "merged_id"),),
}
# Records a card or a list shows: an event naming one of them is in that record's history.
LINKABLE = ("contact", "company", "lead", "deal", "task", "booking", "crew", "staff", "absence", "communication",
            "message", "invoice", "approval", "pipeline", "stage", "automation_rule", "user", "campaign")
MASK = "***"


@dataclass(frozen=True)
class Entry:
    entity: str
    entity_id: str | None
    action: str
    subjects: tuple[str, ...]
    changes: dict


def subject(entity: str, entity_id) -> str:
    return f"{entity}:{entity_id}"


def split_type(event_type: str) -> tuple[str, str]:
    """`deal.stage_changed.v1` -> ("deal", "stage_changed")."""
    entity, _, rest = event_type.partition(".")
    action = rest.rsplit(".", 1)[0] if rest.rsplit(".", 1)[-1].startswith("v") else rest
    return entity, action


def _text(value) -> str | None:
    return None if value is None else str(value)


def subjects_of(event_type: str, data: dict, entity: str, entity_id: str | None) -> tuple[str, ...]:
    found = [subject(entity, entity_id)] if entity_id is not None else []
    for other, key in ALSO_ABOUT.get(event_type, ()):
        if data.get(key) is not None:
            found.append(subject(other, data[key]))
    for name in LINKABLE:
        if isinstance(data.get(f"{name}_id"), (int, str)):
            found.append(subject(name, data[f"{name}_id"]))
        many = data.get(f"{name}_ids")
        if isinstance(many, list):
            found.extend(subject(name, each) for each in many)
    return tuple(dict.fromkeys(found))


def changes_of(data: dict, id_key: str) -> dict:
    """`changes` as the event gives it; else each `from_x`/`to_x` pair; else what the event says (a creation,
    a completion) as the values it set, leaving out the record's own id and what it left empty."""
    if isinstance(data.get("changes"), dict):
        return data["changes"]
    pairs = {key[3:]: {"from": data.get(f"from_{key[3:]}"), "to": value} for key, value in data.items()
             if key.startswith("to_") and f"from_{key[3:]}" in data}
    if pairs:
        return pairs
    return {key: {"from": None, "to": value} for key, value in data.items() if key != id_key and value is not None}


def entry(event_type: str, data: dict) -> Entry:
    entity, action = split_type(event_type)
    entity, id_key = SUBJECT_KEYS.get(event_type, (entity, f"{entity}_id"))
    entity_id = _text(data.get(id_key)) if isinstance(data.get(id_key), (int, str)) else None
    return Entry(entity, entity_id, action, subjects_of(event_type, data, entity, entity_id), changes_of(data, id_key))


def masked_data(data: dict) -> dict:
    """An event's data with its ids and version kept and every other value hidden (`changes` as `masked`)."""
    def keeps(key: str) -> bool:
        return key == "version" or key.endswith("_id") or key.endswith("_ids")

    return {key: value if keeps(key) or value is None else masked(value) if key == "changes" and isinstance(value, dict)
            else MASK for key, value in data.items()}


def masked(changes: dict) -> dict:
    """The same fields, with every value that was there replaced: who changed what stays, not to what."""
    def hide(value):
        return None if value is None else MASK

    return {field: ({"from": hide(change.get("from")), "to": hide(change.get("to"))} if isinstance(change, dict)
                    else hide(change)) for field, change in changes.items()}
