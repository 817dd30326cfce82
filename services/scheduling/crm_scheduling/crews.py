"""People, crews and absences: load, decide (domain/), save, emit."""
import hashlib
import secrets
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from crm_chassis import records
from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict, InvalidInput, NotFound
from crm_scheduling.domain import absences as absence_rules
from crm_scheduling.domain.hours import DEFAULT_TIME_ZONE, DEFAULT_WORKING_HOURS
from crm_scheduling.events import (AbsenceChangedV1, AbsenceCreatedV1, CrewChangedV1, CrewIcsTokenRegeneratedV1,
                                   StaffCreatedV1)
from crm_scheduling.schemas import AbsenceOutput, CrewOutput, StaffOutput
from crm_scheduling.sql import EXCLUSION_VIOLATION, UNIQUE_VIOLATION, live_forever, sqlstate
from crm_scheduling.tables import absences, bookings, crew_members, crews, staff

# -- staff ------------------------------------------------------------------------------

def create_staff(tx: Transaction, spec: dict) -> dict:
    try:
        with tx.session.begin_nested():
            row = tx.session.execute(sa.insert(staff).values(**spec).returning(*staff.c)).mappings().one()
    except sa.exc.IntegrityError as exc:
        if sqlstate(exc) == UNIQUE_VIOLATION:
            raise Conflict("этот пользователь уже привязан к другому сотруднику",
                           {"user_id": ["already linked"]}) from None
        raise
    created = StaffOutput().dump(row)
    tx.emit("staff.created.v1", StaffCreatedV1().dump(
        {"staff_id": created["id"], "changes": records.changes({}, {k: v for k, v in created.items() if k != "id"})}))
    return created


def list_staff(session) -> list[dict]:
    return StaffOutput(many=True).dump(session.execute(sa.select(staff).order_by(staff.c.id)).mappings())


def _require_staff(session, staff_ids: set[int], field: str) -> None:
    found = set(session.execute(sa.select(staff.c.id).where(staff.c.id.in_(staff_ids))).scalars())
    if missing := sorted(staff_ids - found):
        raise InvalidInput("unknown staff", {field: [f"no staff member {i}" for i in missing]})


# -- crews ------------------------------------------------------------------------------

_MEMBERS = (
    sa.select(sa.func.coalesce(sa.func.array_agg(aggregate_order_by(crew_members.c.staff_id,
                                                                    crew_members.c.staff_id)), "{}"))
    .where(crew_members.c.crew_id == crews.c.id)
    .scalar_subquery()
    .label("member_ids")
)


def crew_query():
    return sa.select(*[c for c in crews.c if c.name != "ics_token_hash"], _MEMBERS)


def get_crew(session, crew_id: int) -> dict:
    row = session.execute(crew_query().where(crews.c.id == crew_id)).mappings().first()
    if row is None:
        raise NotFound(f"бригада {crew_id} не найдена", {"crew_id": [f"no crew {crew_id}"]})
    return CrewOutput().dump(row)


def list_crews(session, viewer_user_id: int | None = None) -> list[dict]:
    """Every crew, or only the viewer's own (a crew member sees no other crew)."""
    query = crew_query()
    if viewer_user_id is not None:
        query = query.where(crews.c.id.in_(crews_of_user(session, viewer_user_id)))
    return CrewOutput(many=True).dump(session.execute(query.order_by(crews.c.id)).mappings())


def _set_members(tx: Transaction, crew_id: int, member_ids: list[int]) -> None:
    _require_staff(tx.session, set(member_ids), "member_ids")
    tx.session.execute(sa.delete(crew_members).where(crew_members.c.crew_id == crew_id))
    if member_ids:
        tx.session.execute(sa.insert(crew_members), [{"crew_id": crew_id, "staff_id": i} for i in set(member_ids)])


def create_crew(tx: Transaction, spec: dict) -> dict:
    member_ids = spec.pop("member_ids")
    if spec["leader_staff_id"] is not None:
        _require_staff(tx.session, {spec["leader_staff_id"]}, "leader_staff_id")
    spec["working_hours"] = spec["working_hours"] or DEFAULT_WORKING_HOURS
    try:
        with tx.session.begin_nested():
            crew_id = tx.session.execute(sa.insert(crews).values(**spec).returning(crews.c.id)).scalar_one()
    except sa.exc.IntegrityError as exc:
        if sqlstate(exc) == UNIQUE_VIOLATION:
            raise Conflict(f"бригада «{spec['name']}» уже есть", {"name": ["already exists"]}) from None
        raise
    _set_members(tx, crew_id, member_ids)
    created = get_crew(tx.session, crew_id)
    _crew_event(tx, "crew.created.v1", {}, created)
    return created


def _crew_event(tx: Transaction, event_type: str, before: dict, after: dict) -> None:
    changes = records.changes(before, {k: v for k, v in after.items() if k != "id"})
    if changes:
        tx.emit(event_type, CrewChangedV1().dump({"crew_id": after["id"], "changes": changes}))


def update_crew(tx: Transaction, changes: dict) -> dict:
    crew_id = changes.pop("crew_id")
    before = get_crew(tx.session, crew_id)
    if "member_ids" in changes:
        _set_members(tx, crew_id, changes.pop("member_ids"))
    if changes.get("leader_staff_id") is not None:
        _require_staff(tx.session, {changes["leader_staff_id"]}, "leader_staff_id")
    if changes:
        tx.session.execute(sa.update(crews).where(crews.c.id == crew_id).values(**changes))
    after = get_crew(tx.session, crew_id)
    _crew_event(tx, "crew.changed.v1", before, after)
    return after


def crews_of_user(session, user_id: int) -> set[int]:
    """The crews a logged-in person leads or belongs to."""
    person = sa.select(staff.c.id).where(staff.c.user_id == user_id).scalar_subquery()
    return set(session.execute(
        sa.select(crews.c.id).where(sa.or_(
            crews.c.leader_staff_id == person,
            crews.c.id.in_(sa.select(crew_members.c.crew_id).where(crew_members.c.staff_id == person)),
        ))
    ).scalars())


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def regenerate_ics_token(tx: Transaction, crew_id: int) -> dict:
    """A new secret for the crew's ICS link; the old link stops working. Only its hash is kept."""
    get_crew(tx.session, crew_id)
    token = secrets.token_urlsafe(32)
    tx.session.execute(sa.update(crews).where(crews.c.id == crew_id).values(ics_token_hash=token_hash(token)))
    tx.emit("crew.ics_token_regenerated.v1", CrewIcsTokenRegeneratedV1().dump({"crew_id": crew_id}))
    return {"crew_id": crew_id, "token": token}


# -- absences ---------------------------------------------------------------------------

def _absence_output(row, today: date) -> dict:
    return AbsenceOutput().dump({**row, "phase": absence_rules.phase(row["starts_on"], row["ends_on"], today)})


def create_absence(tx: Transaction, spec: dict, today: date) -> dict:
    _require_staff(tx.session, {spec["staff_id"]}, "staff_id")
    row = tx.session.execute(sa.insert(absences).values(**spec).returning(*absences.c)).mappings().one()
    person = spec["staff_id"]
    their_crews = tx.session.execute(
        sa.select(crews.c.id, crews.c.time_zone).where(sa.or_(
            crews.c.leader_staff_id == person,
            crews.c.id.in_(sa.select(crew_members.c.crew_id).where(crew_members.c.staff_id == person)),
        ))
    ).all()
    for crew_id, time_zone in their_crews:
        starts_at, ends_at = absence_rules.blocked_range(row["starts_on"], row["ends_on"], time_zone)
        try:
            with tx.session.begin_nested():
                tx.session.execute(sa.insert(bookings).values(
                    crew_id=crew_id, kind="absence", starts_at=starts_at, ends_at=ends_at,
                    live=live_forever(), absence_id=row["id"]))
        except sa.exc.IntegrityError as exc:
            if sqlstate(exc) == EXCLUSION_VIOLATION:
                raise Conflict("на время отсутствия у бригады есть выезды: перенесите их сначала",
                               {"crew_id": [crew_id], "booking_ids": _jobs_between(tx.session, crew_id, starts_at,
                                                                                   ends_at)}) from None
            raise
    tx.emit("absence.created.v1", AbsenceCreatedV1().dump({
        "absence_id": row["id"], "staff_id": person, "changes": records.changes({}, {
            key: row[key].isoformat() if isinstance(row[key], date) else row[key]
            for key in ("kind", "starts_on", "ends_on")})}))
    _emit_due(tx, row, today)
    return _absence_output(tx.session.execute(sa.select(absences).where(absences.c.id == row["id"]))
                           .mappings().one(), today)


def _jobs_between(session, crew_id: int, starts_at: datetime, ends_at: datetime) -> list[int]:
    return list(session.execute(
        sa.select(bookings.c.id).where(
            bookings.c.crew_id == crew_id, bookings.c.kind != "absence", bookings.c.status != "cancelled",
            bookings.c.starts_at < ends_at, bookings.c.ends_at > starts_at,
        ).order_by(bookings.c.starts_at)
    ).scalars())


def list_absences(session, staff_id: int | None, today: date) -> list[dict]:
    query = sa.select(absences).order_by(absences.c.starts_on, absences.c.id)
    if staff_id is not None:
        query = query.where(absences.c.staff_id == staff_id)
    return [_absence_output(row, today) for row in session.execute(query).mappings()]


def _emit_due(tx: Transaction, absence, today: date) -> None:
    due = absence_rules.due_events(absence["starts_on"], absence["ends_on"], today,
                                   absence["started_emitted"], absence["ended_emitted"])
    if not due:
        return
    person = tx.session.execute(sa.select(staff).where(staff.c.id == absence["staff_id"])).mappings().one()
    data = AbsenceChangedV1().dump({**absence, "absence_id": absence["id"], "user_id": person["user_id"],
                                    "full_name": person["full_name"]})
    for event_type in due:
        tx.emit(event_type, data)
    tx.session.execute(sa.update(absences).where(absences.c.id == absence["id"]).values(
        started_emitted=True, ended_emitted="absence.ended.v1" in due or absence["ended_emitted"]))


def emit_due_absences(tx: Transaction, today: date) -> int:
    """Emit the start and end events whose day has come; rows are locked, so replicas share it."""
    due = tx.session.execute(
        sa.select(absences)
        .where(sa.not_(absences.c.ended_emitted), absences.c.starts_on <= today,
               sa.or_(sa.not_(absences.c.started_emitted), absences.c.ends_on < today))
        .order_by(absences.c.id)
        .with_for_update(skip_locked=True)
    ).mappings().all()
    for absence in due:
        _emit_due(tx, absence, today)
    return len(due)


def company_today() -> date:
    """Absences start and end by the calendar of the company's time zone."""
    return datetime.now(UTC).astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date()
