"""Who answers for what: round robin among operators on duty, and reassignment when someone leaves."""
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis.db import Transaction
from crm_chassis.errors import NotFound, Unprocessable
from crm_chassis.records import bumped, changes
from crm_leads.events import UserSettingChangedV1
from crm_leads.tables import companies, contacts, duty_roster, lead_stages, leads, reassignments, substitutes


def next_on_duty(tx: Transaction) -> int | None:
    """The operator on duty who was given a lead longest ago; concurrent intakes pick different ones."""
    candidate = (
        sa.select(duty_roster.c.user_id).where(duty_roster.c.on_duty)
        .order_by(duty_roster.c.last_assigned_at.asc().nulls_first(), duty_roster.c.user_id)
        .limit(1).with_for_update(skip_locked=True).scalar_subquery()
    )
    return tx.session.execute(
        sa.update(duty_roster).where(duty_roster.c.user_id == candidate)
        .values(last_assigned_at=sa.func.clock_timestamp()).returning(duty_roster.c.user_id)
    ).scalar()


def _setting_changed(tx: Transaction, event_type: str, user_id: int, name: str, before, after) -> None:
    if before != after:
        tx.emit(event_type, UserSettingChangedV1().dump(
            {"user_id": user_id, "changes": changes({name: before}, {name: after})}))


def set_duty(tx: Transaction, user_id: int, on_duty: bool) -> dict:
    before = tx.session.execute(sa.select(duty_roster.c.on_duty).where(duty_roster.c.user_id == user_id)).scalar()
    _setting_changed(tx, "duty_roster.changed.v1", user_id, "on_duty", before, on_duty)
    statement = pg_insert(duty_roster).values(user_id=user_id, on_duty=on_duty)
    tx.session.execute(statement.on_conflict_do_update(index_elements=[duty_roster.c.user_id],
                                                       set_={"on_duty": on_duty}))
    return {"user_id": user_id, "on_duty": on_duty}


def list_duty(session) -> list[dict]:
    rows = session.execute(sa.select(duty_roster).order_by(duty_roster.c.user_id)).mappings()
    return [{"user_id": r["user_id"], "on_duty": r["on_duty"],
             "last_assigned_at": r["last_assigned_at"] and r["last_assigned_at"].isoformat()} for r in rows]


def set_substitute(tx: Transaction, user_id: int, substitute_id: int) -> dict:
    if user_id == substitute_id:
        raise Unprocessable("a user cannot substitute for themselves", {"substitute_id": ["must differ"]})
    before = tx.session.execute(sa.select(substitutes.c.substitute_id).where(substitutes.c.user_id == user_id)).scalar()
    _setting_changed(tx, "substitute.changed.v1", user_id, "substitute_id", before, substitute_id)
    statement = pg_insert(substitutes).values(user_id=user_id, substitute_id=substitute_id)
    tx.session.execute(statement.on_conflict_do_update(index_elements=[substitutes.c.user_id],
                                                       set_={"substitute_id": substitute_id}))
    return {"user_id": user_id, "substitute_id": substitute_id}


def _owned(entity: str):
    """What a user answers for: companies, live contacts and open leads."""
    if entity == "company":
        return companies, sa.true()
    if entity == "contact":
        return contacts, contacts.c.merged_into_id.is_(None)
    open_stages = sa.select(lead_stages.c.code).where(lead_stages.c.kind == "open")
    return leads, leads.c.stage.in_(open_stages)


def open_work_of(session, user_id: int) -> dict:
    """What a user still answers for, by id: what is handed over before they may be archived."""
    work = {}
    for entity, key in (("company", "companies"), ("contact", "contacts"), ("lead", "open_leads")):
        table, condition = _owned(entity)
        work[key] = session.execute(sa.select(table.c.id).where(table.c.responsible_id == user_id, condition)
                                    .order_by(table.c.id)).scalars().all()
    return work


def reassign(tx: Transaction, from_user: int, to_user: int | None, reason: str, batch_id: str | None = None,
             by_user_id: int | None = None) -> dict:
    """Move everything `from_user` answers for to `to_user` (or their configured substitute) at once;
    `by_user_id` is who asked (none when an absence began)."""
    if to_user is None:
        to_user = tx.session.execute(sa.select(substitutes.c.substitute_id)
                                     .where(substitutes.c.user_id == from_user)).scalar()
        if to_user is None:
            raise Unprocessable(f"user {from_user} has no substitute configured", {"to_user_id": ["required"]})
    batch_id = batch_id or str(uuid.uuid4())
    moved = {}
    for entity in ("company", "contact", "lead"):
        table, condition = _owned(entity)
        ids = tx.session.execute(
            sa.update(table).where(table.c.responsible_id == from_user, condition)
            .values(responsible_id=to_user, **bumped(table)).returning(table.c.id)
        ).scalars().all()
        if ids:
            tx.session.execute(sa.insert(reassignments), [
                {"batch_id": batch_id, "entity": entity, "entity_id": entity_id, "from_user": from_user,
                 "to_user": to_user, "reason": reason} for entity_id in ids])
        moved[entity] = ids
    tx.session.execute(sa.update(duty_roster).where(duty_roster.c.user_id == from_user).values(on_duty=False))
    summary = {"batch_id": batch_id, "from_user_id": from_user, "to_user_id": to_user, "reason": reason,
               "company_ids": moved["company"], "contact_ids": moved["contact"], "lead_ids": moved["lead"]}
    tx.emit("ownership.reassigned.v1", summary | {"by_user_id": by_user_id})
    return summary


def return_assignments(tx: Transaction, batch_id: str, missing_ok: bool = False, by_user_id: int | None = None) -> dict:
    """Give back what a batch moved, where the substitute still holds it."""
    rows = tx.session.execute(
        sa.select(reassignments).where(reassignments.c.batch_id == batch_id, reassignments.c.returned_at.is_(None))
        .with_for_update()
    ).mappings().all()
    if not rows and not missing_ok and not tx.session.execute(
            sa.select(reassignments.c.id).where(reassignments.c.batch_id == batch_id).limit(1)).first():
        raise NotFound(f"no reassignment {batch_id}", {"batch_id": batch_id})
    returned = {"company": [], "contact": [], "lead": []}
    for row in rows:
        table, _ = _owned(row["entity"])
        back = tx.session.execute(
            sa.update(table).where(table.c.id == row["entity_id"], table.c.responsible_id == row["to_user"])
            .values(responsible_id=row["from_user"], **bumped(table)).returning(table.c.id)
        ).first()
        if back:
            returned[row["entity"]].append(row["entity_id"])
    tx.session.execute(sa.update(reassignments).where(reassignments.c.batch_id == batch_id)
                       .values(returned_at=sa.func.now()))
    summary = {"batch_id": batch_id, "company_ids": returned["company"], "contact_ids": returned["contact"],
               "lead_ids": returned["lead"]}
    if rows:
        summary |= {"from_user_id": rows[0]["to_user"], "to_user_id": rows[0]["from_user"]}
        tx.emit("ownership.returned.v1", summary | {"by_user_id": by_user_id})
    return summary
