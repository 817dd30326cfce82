"""Who may see and change which records, decided where the data lives.

The gateway sends the viewer with every RPC (`nameko.viewer`, JSON): `user_id`, `role`, the
`read` and `write` scopes (own | department | all | none), the user ids each covers
(`read_ids` / `write_ids`; null means everyone, a missing `write_ids` the same as `read_ids`)
and the viewer's `department_ids`. A service
filters every list, card, count, sum, search and report query by it on the column naming the
record's responsible; a card or an edit out of scope is a NotFound. Events and timers carry no
viewer and see everything.
"""
import json
from dataclasses import dataclass

import sqlalchemy as sa

from crm_chassis import context
from crm_chassis.errors import Forbidden


@dataclass(frozen=True)
class Viewer:
    user_id: int
    role: str
    read: str
    write: str
    read_ids: frozenset[int] | None
    write_ids: frozenset[int] | None
    department_ids: tuple[int, ...]

    @classmethod
    def from_context(cls, raw: dict) -> "Viewer":
        def ids(key):
            return None if raw.get(key) is None else frozenset(int(i) for i in raw[key])

        return cls(user_id=int(raw["user_id"]), role=raw["role"], read=raw["read"], write=raw["write"],
                   read_ids=ids("read_ids"), write_ids=ids("write_ids" if "write_ids" in raw else "read_ids"),
                   department_ids=tuple(int(i) for i in raw.get("department_ids") or ()))


def viewer() -> Viewer | None:
    """The viewer of this gateway call; None where nobody is looking (events, timers)."""
    raw = context.current_viewer()
    return Viewer.from_context(raw) if raw else None


def reader(user_id: int, read_ids: list[int] | None) -> str:
    """The viewer header of someone who only reads (`read_ids` None: everything), for a service that
    answers a user without the gateway in between (notify's staff bot asking deals)."""
    return json.dumps({"user_id": user_id, "role": "reader", "read": "own" if read_ids is not None else "all",
                       "write": "none", "read_ids": read_ids, "department_ids": []})


def visible_ids() -> frozenset[int] | None:
    """The responsible ids whose records the viewer may read; None means every record."""
    seen = viewer()
    return None if seen is None else seen.read_ids


def _among(column, ids: frozenset[int] | None):
    if ids is None:
        return sa.true()
    return column.in_(sorted(ids)) if ids else sa.false()


def visible(column):
    """A where-clause: the rows whose responsible (this column) the viewer may read."""
    return _among(column, visible_ids())


def changeable(column):
    """A where-clause: the rows whose responsible the viewer may change; a role that changes nothing
    is refused outright."""
    seen = viewer()
    if seen is None:
        return sa.true()
    if seen.write == "none":
        raise Forbidden(f"role {seen.role} changes nothing here", {"role": [seen.role]})
    return _among(column, seen.write_ids)


def in_departments(column):
    """A where-clause on an array of department ids (empty = open to all): whether the viewer may
    see what is limited to those departments. A viewer who reads everything sees it all."""
    seen = viewer()
    if seen is None or seen.read == "all":
        return sa.true()
    mine = sa.cast(list(seen.department_ids), column.type)
    return sa.or_(sa.func.cardinality(column) == 0, column.overlap(mine))
