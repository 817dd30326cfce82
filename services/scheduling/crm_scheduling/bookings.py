"""Holds, bookings and their lifecycle, availability, calendars and ICS feeds.

The database refuses an overlap (the exclusion constraint of 0002); we check working hours
and absences first only to say clearly why a slot is refused.
"""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict, InvalidInput, NotFound, Unprocessable
from crm_chassis.records import bumped, changes, check_version
from crm_scheduling import crews as crew_store
from crm_scheduling.domain import absences as absence_rules
from crm_scheduling.domain import availability
from crm_scheduling.domain.hours import DEFAULT_TIME_ZONE, WorkingHours, days_between
from crm_scheduling.events import (BookingCancelledV1, BookingChangedV1, BookingCompletedV1, BookingCreatedV1,
                                   BookingRequestFailedV1, BookingRescheduledV1, BookingRescheduleRequestedV1)
from crm_scheduling.schemas import AvailabilityQuery, BookingOutput, SlotOutput
from crm_scheduling.sql import EXCLUSION_VIOLATION, NOW, live_for, live_forever, sqlstate
from crm_scheduling.tables import absences, bookings, crews

BUSY = "Бригада уже занята в это время"
NO_REQUEST = {"reschedule_reason": None, "reschedule_preferred_date": None, "reschedule_requested_at": None,
              "reschedule_requested_by": None}
ICS_PAST_DAYS = 30


def _hours(crew: dict) -> WorkingHours:
    return WorkingHours.from_spec(crew["time_zone"], crew["working_hours"], crew["hours_exceptions"])


def _live():
    """Rows that occupy time now: not cancelled, and a hold only until it expires."""
    return sa.and_(bookings.c.status != "cancelled",
                   sa.or_(bookings.c.kind != "hold", bookings.c.expires_at > NOW))


def _check_bookable(session, crew: dict, starts_at: datetime, ends_at: datetime):
    """422 with the reason when the crew does not work then or is absent."""
    if reason := _hours(crew).refusal(starts_at, ends_at):
        raise Unprocessable("Выезд вне рабочего времени бригады", {"starts_at": [reason]})
    absence = session.execute(
        sa.select(absences.c.kind, absences.c.starts_on, absences.c.ends_on)
        .join(bookings, bookings.c.absence_id == absences.c.id)
        .where(bookings.c.crew_id == crew["id"], bookings.c.status != "cancelled",
               bookings.c.starts_at < ends_at, bookings.c.ends_at > starts_at)
        .limit(1)
    ).first()
    if absence is not None:
        raise Unprocessable("Бригада в это время отсутствует",
                            {"starts_at": [absence_rules.refusal(*absence)]})


def _write(tx: Transaction, statement):
    """Run an insert/update of a job; an overlap becomes a clear 409."""
    try:
        with tx.session.begin_nested():
            return tx.session.execute(statement.returning(*bookings.c)).mappings().one_or_none()
    except sa.exc.IntegrityError as exc:
        if sqlstate(exc) == EXCLUSION_VIOLATION:
            raise Conflict(BUSY, {"starts_at": ["бригада занята в это время: выберите другой слот"]}) from None
        raise


def _created_event(tx: Transaction, row, crew: dict, from_hold: bool) -> None:
    tx.emit("booking.created.v1", BookingCreatedV1().dump({
        **row, "booking_id": row["id"], "crew_name": crew["name"], "leader_name": crew["leader_name"],
        "leader_phone": crew["leader_phone"], "from_hold": from_hold,
    }))


def book(tx: Transaction, spec: dict) -> dict:
    crew = crew_store.get_crew(tx.session, spec["crew_id"])
    _check_bookable(tx.session, crew, spec["starts_at"], spec["ends_at"])
    row = _write(tx, sa.insert(bookings).values(**spec, kind="booking", live=live_forever()))
    _created_event(tx, row, crew, from_hold=False)
    return BookingOutput().dump(row)


def hold(tx: Transaction, spec: dict) -> dict:
    minutes = spec.pop("minutes")
    crew = crew_store.get_crew(tx.session, spec["crew_id"])
    _check_bookable(tx.session, crew, spec["starts_at"], spec["ends_at"])
    row = _write(tx, sa.insert(bookings).values(
        **spec, kind="hold", expires_at=NOW + timedelta(minutes=minutes), live=live_for(minutes)))
    return BookingOutput().dump(row)


def confirm_hold(tx: Transaction, spec: dict) -> dict:
    """Turn a live hold into a booking in one statement; an expired hold is refused with 409."""
    hold_id = spec.pop("hold_id")
    found = tx.session.execute(
        sa.select(bookings.c.crew_id).where(bookings.c.id == hold_id, bookings.c.kind == "hold",
                                            bookings.c.status == "booked")
    ).first()
    if found is None:
        raise NotFound(f"бронь {hold_id} не найдена", {"hold_id": [f"no hold {hold_id}"]})
    row = _write(tx, sa.update(bookings).where(bookings.c.id == hold_id, bookings.c.kind == "hold",
                                               bookings.c.status == "booked", bookings.c.expires_at > NOW)
                 .values(**spec, kind="booking", expires_at=None, live=live_forever(), updated_at=NOW))
    if row is None:
        raise Conflict("Время брони истекло: слот мог занять другой оператор",
                       {"hold_id": ["the hold has expired"]})
    _created_event(tx, row, crew_store.get_crew(tx.session, found.crew_id), from_hold=True)
    return BookingOutput().dump(row)


def release_hold(tx: Transaction, hold_id: int) -> dict:
    row = tx.session.execute(
        sa.update(bookings).where(bookings.c.id == hold_id, bookings.c.kind == "hold")
        .values(status="cancelled", updated_at=NOW).returning(*bookings.c)
    ).mappings().one_or_none()
    if row is None:
        raise NotFound(f"бронь {hold_id} не найдена", {"hold_id": [f"no hold {hold_id}"]})
    return BookingOutput().dump(row)


def _booked_job(tx: Transaction, booking_id: int, viewer_crews: set[int] | None):
    """The booking, locked; 404 if it is not there or not the viewer's crew's; 409 if closed."""
    row = tx.session.execute(
        sa.select(bookings).where(bookings.c.id == booking_id, bookings.c.kind == "booking").with_for_update()
    ).mappings().first()
    if row is None or (viewer_crews is not None and row["crew_id"] not in viewer_crews):
        raise NotFound(f"выезд {booking_id} не найден", {"booking_id": [f"no booking {booking_id}"]})
    if row["status"] != "booked":
        raise Conflict(f"выезд {booking_id} уже закрыт ({row['status']})", {"status": [row["status"]]})
    return row


def _viewer_crews(session, viewer_user_id: int | None) -> set[int] | None:
    return None if viewer_user_id is None else crew_store.crews_of_user(session, viewer_user_id)


def reschedule(tx: Transaction, spec: dict, viewer_user_id: int | None) -> dict:
    before = _booked_job(tx, spec["booking_id"], _viewer_crews(tx.session, viewer_user_id))
    crew = crew_store.get_crew(tx.session, before["crew_id"])
    _check_bookable(tx.session, crew, spec["starts_at"], spec["ends_at"])
    row = _write(tx, sa.update(bookings).where(bookings.c.id == before["id"]).values(
        starts_at=spec["starts_at"], ends_at=spec["ends_at"], live=live_forever(), note=spec["reason"],
        updated_at=NOW, **NO_REQUEST, **bumped(bookings)))
    tx.emit("booking.rescheduled.v1", BookingRescheduledV1().dump({
        **row, "booking_id": row["id"], "crew_name": crew["name"], "leader_name": crew["leader_name"],
        "leader_phone": crew["leader_phone"], "previous_starts_at": before["starts_at"],
        "previous_ends_at": before["ends_at"], "by": spec["by"], "reason": spec["reason"],
    }))
    return BookingOutput().dump(row)


def request_reschedule(tx: Transaction, spec: dict, viewer_user_id: int, today: date) -> dict:
    """A crew member asks to move their crew's job: kept on the booking (a later request replaces it)
    until someone moves the job; deals learns it from the event and tells the deal's responsible."""
    if spec["preferred_date"] is not None and spec["preferred_date"] < today:
        raise InvalidInput("invalid input", {"preferred_date": ["must not be in the past"]})
    _booked_job(tx, spec["booking_id"], _viewer_crews(tx.session, viewer_user_id))
    row = tx.session.execute(sa.update(bookings).where(bookings.c.id == spec["booking_id"]).values(
        reschedule_reason=spec["reason"], reschedule_preferred_date=spec["preferred_date"],
        reschedule_requested_at=NOW, reschedule_requested_by=viewer_user_id, updated_at=NOW, **bumped(bookings),
    ).returning(*bookings.c)).mappings().one()
    crew = crew_store.get_crew(tx.session, row["crew_id"])
    tx.emit("booking.reschedule_requested.v1", BookingRescheduleRequestedV1().dump({
        **row, "booking_id": row["id"], "crew_name": crew["name"], "leader_name": crew["leader_name"],
        "leader_phone": crew["leader_phone"], "reason": spec["reason"], "preferred_date": spec["preferred_date"],
        "requested_by_user_id": viewer_user_id, "requested_at": row["reschedule_requested_at"]}))
    return BookingOutput().dump(row)


CLIENT_DETAILS = ("client_name", "client_phone", "address", "comment")


def edit_client_details(tx: Transaction, spec: dict) -> dict:
    """A job's client details as the version read: the crew's jobs view and ICS feed read the booking;
    notify rewrites the reminders it queued from `booking.changed.v1`, which carries the job in full."""
    row = _booked_job(tx, spec["booking_id"], None)
    check_version(row["version"], spec["version"])
    changed = changes(row, {name: spec[name] for name in CLIENT_DETAILS if name in spec})
    if not changed:
        return BookingOutput().dump(row)
    edited = tx.session.execute(sa.update(bookings).where(bookings.c.id == row["id"]).values(
        **{name: change["to"] for name, change in changed.items()}, **bumped(bookings), updated_at=NOW,
    ).returning(*bookings.c)).mappings().one()
    crew = crew_store.get_crew(tx.session, edited["crew_id"])
    tx.emit("booking.changed.v1", BookingChangedV1().dump({
        **edited, "booking_id": edited["id"], "crew_name": crew["name"], "leader_name": crew["leader_name"],
        "leader_phone": crew["leader_phone"], "changes": changed}))
    return BookingOutput().dump(edited)


def cancel(tx: Transaction, spec: dict) -> dict:
    before = _booked_job(tx, spec["booking_id"], None)
    crew = crew_store.get_crew(tx.session, before["crew_id"])
    row = tx.session.execute(sa.update(bookings).where(bookings.c.id == spec["booking_id"]).values(
        status="cancelled", note=spec["reason"], updated_at=NOW, **bumped(bookings)).returning(*bookings.c)).mappings().one()
    tx.emit("booking.cancelled.v1", BookingCancelledV1().dump({
        **row, "booking_id": row["id"], "crew_name": crew["name"], "leader_name": crew["leader_name"],
        "leader_phone": crew["leader_phone"], "reason": spec["reason"]}))
    return BookingOutput().dump(row)


def complete(tx: Transaction, spec: dict, viewer_user_id: int | None) -> dict:
    _booked_job(tx, spec["booking_id"], _viewer_crews(tx.session, viewer_user_id))
    status = "completed" if spec["result"] == "success" else "failed"
    row = tx.session.execute(sa.update(bookings).where(bookings.c.id == spec["booking_id"]).values(
        status=status, note=spec["failure_reason"], updated_at=NOW, **bumped(bookings)).returning(*bookings.c)).mappings().one()
    tx.emit("booking.completed.v1", BookingCompletedV1().dump({
        **row, "booking_id": row["id"], "result": spec["result"], "failure_reason": spec["failure_reason"]}))
    return BookingOutput().dump(row)


def _company_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZoneInfo(DEFAULT_TIME_ZONE))


def list_bookings(session, *, crew_id: int | None, deal_id: int | None, date_from: date | None,
                  date_to: date | None, viewer_user_id: int | None) -> list[dict]:
    """Jobs by start time; dates are days of the company's time zone, a job counts on each day it touches."""
    query = sa.select(bookings).where(bookings.c.kind == "booking").order_by(bookings.c.starts_at, bookings.c.id)
    if crew_id is not None:
        query = query.where(bookings.c.crew_id == crew_id)
    if deal_id is not None:
        query = query.where(bookings.c.deal_id == deal_id)
    if date_from is not None:
        query = query.where(bookings.c.ends_at > _company_midnight(date_from))
    if date_to is not None:
        query = query.where(bookings.c.starts_at < _company_midnight(date_to + timedelta(days=1)))
    if (viewer := _viewer_crews(session, viewer_user_id)) is not None:
        query = query.where(bookings.c.crew_id.in_(viewer))
    return BookingOutput(many=True).dump(session.execute(query).mappings())


# -- availability -----------------------------------------------------------------------

def find_slots(session, query: dict, now: datetime) -> list[dict]:
    """Two queries (matching crews, their busy time in the window), the rest in domain/."""
    matching = crew_store.crew_query().where(crews.c.skill == query["skill"])
    if query["zone"] is not None:
        matching = matching.where(crews.c.zones.any(query["zone"]))
    found = {row["id"]: row for row in session.execute(matching).mappings()}
    if not found:
        return []
    buffer = timedelta(minutes=query["buffer_minutes"])
    window_from = datetime.combine(query["date_from"], time(), tzinfo=UTC) - timedelta(days=1) - buffer
    window_to = datetime.combine(query["date_to"], time(), tzinfo=UTC) + timedelta(days=2) + buffer
    busy: dict[int, list[availability.Busy]] = {crew_id: [] for crew_id in found}
    for crew_id, kind, starts_at, ends_at in session.execute(
        sa.select(bookings.c.crew_id, bookings.c.kind, bookings.c.starts_at, bookings.c.ends_at)
        .where(bookings.c.crew_id.in_(found), _live(),
               bookings.c.starts_at < window_to, bookings.c.ends_at > window_from)
    ):
        busy[crew_id].append(availability.Busy(starts_at, ends_at, travel=kind != "absence"))
    candidates = [availability.Crew(crew_id, _hours(crew), tuple(busy[crew_id])) for crew_id, crew in found.items()]
    slots = availability.free_slots(
        candidates, query["date_from"], query["date_to"], timedelta(minutes=query["duration_minutes"]), buffer,
        timedelta(minutes=query["step_minutes"]), now, query["limit"])
    return SlotOutput(many=True).dump(
        {"crew_id": s.crew_id, "crew_name": found[s.crew_id]["name"], "starts_at": s.starts_at,
         "ends_at": s.ends_at} for s in slots)


# -- calendars --------------------------------------------------------------------------

def calendar(session, query: dict) -> dict:
    """A crew's day or week (from Monday): working hours and every job, hold and absence."""
    viewer = _viewer_crews(session, query["viewer_user_id"])
    if viewer is not None and query["crew_id"] not in viewer:
        raise NotFound(f"бригада {query['crew_id']} не найдена", {"crew_id": ["not your crew"]})
    crew = crew_store.get_crew(session, query["crew_id"])
    hours = _hours(crew)
    first = query["date"] - timedelta(days=query["date"].weekday()) if query["days"] == 7 else query["date"]
    last = first + timedelta(days=query["days"] - 1)
    starts = datetime.combine(first, time(), tzinfo=hours.time_zone)
    ends = datetime.combine(last + timedelta(days=1), time(), tzinfo=hours.time_zone)
    rows = session.execute(
        sa.select(bookings).where(bookings.c.crew_id == crew["id"], _live(),
                                  bookings.c.starts_at < ends, bookings.c.ends_at > starts)
        .order_by(bookings.c.starts_at)
    ).mappings().all()
    days = []
    for day in days_between(first, last):
        window = hours.window_on(day)
        day_starts = datetime.combine(day, time(), tzinfo=hours.time_zone)
        day_ends = day_starts + timedelta(days=1)
        days.append({
            "date": day.isoformat(),
            "opens": window and window[0].astimezone(hours.time_zone).isoformat(),
            "closes": window and window[1].astimezone(hours.time_zone).isoformat(),
            "items": BookingOutput(many=True).dump(
                r for r in rows if r["starts_at"] < day_ends and r["ends_at"] > day_starts),
        })
    return {"crew_id": crew["id"], "crew_name": crew["name"], "time_zone": crew["time_zone"], "days": days}


def ics_feed(session, token: str, now: datetime) -> str:
    """The crew's jobs from a month ago on as an iCalendar text; an unknown token is a 404."""
    crew = session.execute(sa.select(crews).where(crews.c.ics_token_hash == crew_store.token_hash(token))
                           ).mappings().first()
    if crew is None:
        raise NotFound("календарь не найден", {})
    rows = session.execute(
        sa.select(bookings).where(bookings.c.crew_id == crew["id"], bookings.c.kind == "booking",
                                  bookings.c.status != "cancelled",
                                  bookings.c.ends_at > now - timedelta(days=ICS_PAST_DAYS))
        .order_by(bookings.c.starts_at)
    ).mappings()
    feed = icalendar.Calendar()
    feed.add("prodid", "-//CRM//scheduling//RU")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", f"Выезды: {crew['name']}")
    feed.add("x-wr-timezone", crew["time_zone"])
    for row in rows:
        event = icalendar.Event()
        event.add("uid", f"booking-{row['id']}@crm-scheduling")
        event.add("dtstamp", row["updated_at"])
        event.add("dtstart", row["starts_at"].astimezone(UTC))
        event.add("dtend", row["ends_at"].astimezone(UTC))
        event.add("summary", f"Выезд: {row['client_name'] or row['address']}")
        event.add("location", row["address"])
        lines = [f"Клиент: {row['client_name']}" if row["client_name"] else None,
                 f"Телефон: {row['client_phone']}" if row["client_phone"] else None,
                 f"Комментарий: {row['comment']}" if row["comment"] else None,
                 f"Сделка №{row['deal_id']}" if row["deal_id"] else None,
                 {"completed": "Выполнено", "failed": f"Не выполнено: {row['note']}"}.get(row["status"])]
        event.add("description", "\n".join(line for line in lines if line))
        feed.add_component(event)
    return feed.to_ical().decode()


def book_first_free(tx: Transaction, request: dict, now: datetime) -> dict | None:
    """deals asked for a crew: book the first free slot, or say why there is none."""
    query = AvailabilityQuery().load({
        "skill": request["skill"], "zone": request["zone"], "duration_minutes": request["duration_minutes"],
        "date_from": now.date().isoformat(), "date_to": (now + timedelta(days=request["within_days"])).date().isoformat(),
        "limit": 1})
    slots = find_slots(tx.session, query, now)
    if not slots:
        tx.emit("booking.request_failed.v1", BookingRequestFailedV1().dump({
            "deal_id": request["deal_id"],
            "reason": f"нет свободного времени у бригад «{request['skill']}» на {request['within_days']} дн. вперёд"}))
        return None
    slot = slots[0]
    return book(tx, {"crew_id": slot["crew_id"], "starts_at": datetime.fromisoformat(slot["starts_at"]),
                     "ends_at": datetime.fromisoformat(slot["ends_at"]), "deal_id": request["deal_id"],
                     "address": request["address"], "client_name": None, "client_phone": None})
