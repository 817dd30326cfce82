"""Crews and bookings: the database refuses an overlapping booking, we say it clearly."""
import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict, NotFound
from crm_scheduling.events import BookingCreatedV1
from crm_scheduling.schemas import BookingOutput, CrewOutput
from crm_scheduling.tables import bookings, crews

EXCLUSION_VIOLATION = "23P01"
UNIQUE_VIOLATION = "23505"


def _sqlstate(exc: sa.exc.IntegrityError) -> str | None:
    return getattr(exc.orig, "pgcode", None)


def create_crew(tx: Transaction, spec: dict) -> dict:
    try:
        with tx.session.begin_nested():
            crew_id = tx.session.execute(sa.insert(crews).values(**spec).returning(crews.c.id)).scalar_one()
    except sa.exc.IntegrityError as exc:
        if _sqlstate(exc) == UNIQUE_VIOLATION:
            raise Conflict(f"crew {spec['name']} exists", {"name": ["already exists"]}) from None
        raise
    return get_crew(tx.session, crew_id)


def get_crew(session, crew_id: int) -> dict:
    row = session.execute(sa.select(crews).where(crews.c.id == crew_id)).mappings().first()
    if row is None:
        raise NotFound(f"crew {crew_id} not found", {"crew_id": crew_id})
    return CrewOutput().dump(row)


def list_crews(session) -> list[dict]:
    return CrewOutput(many=True).dump(session.execute(sa.select(crews).order_by(crews.c.id)).mappings())


def book(tx: Transaction, spec: dict) -> dict:
    crew = get_crew(tx.session, spec["crew_id"])
    try:
        with tx.session.begin_nested():
            row = tx.session.execute(
                sa.insert(bookings).values(**spec).returning(*bookings.c)
            ).mappings().one()
    except sa.exc.IntegrityError as exc:
        if _sqlstate(exc) == EXCLUSION_VIOLATION:
            raise Conflict("the crew is already booked for that time",
                           {"starts_at": ["the crew is busy at this time"]}) from None
        raise
    tx.emit("booking.created.v1", BookingCreatedV1().dump({
        **row, "booking_id": row["id"], "crew_name": crew["name"],
        "leader_name": crew["leader_name"], "leader_phone": crew["leader_phone"],
    }))
    return BookingOutput().dump(row)


def list_bookings(session, crew_id: int | None) -> list[dict]:
    query = sa.select(bookings).order_by(bookings.c.starts_at)
    if crew_id is not None:
        query = query.where(bookings.c.crew_id == crew_id)
    return BookingOutput(many=True).dump(session.execute(query).mappings())
