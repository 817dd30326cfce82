"""Tasks on deals: a deadline and an assignee; completing one or missing its deadline triggers rules."""
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict, NotFound
from crm_deals.deals import Actor, deal_row, log, row_query, task_dict
from crm_deals.domain.automation import Trigger
from crm_deals.events import NotificationRequestedV1, TaskCompletedV1, TaskCreatedV1, TaskOverdueV1
from crm_deals.tables import deals, tasks

RESCHEDULE_ANSWER_WITHIN = timedelta(hours=24)


def create_task(tx: Transaction, deal_id: int, title: str, due_at: datetime, assignee_id: int | None,
                actor: Actor) -> dict:
    deal = deal_row(tx.session, deal_id)
    row = tx.session.execute(sa.insert(tasks).values(
        deal_id=deal_id, title=title, due_at=due_at, assignee_id=assignee_id or deal["responsible_id"],
        rule_id=actor.rule_id).returning(*tasks.c)).mappings().one()
    log(tx, deal_id, "task_created", actor, task_id=row["id"], title=title, due_at=due_at.isoformat())
    tx.emit("deal.task_created.v1", TaskCreatedV1().dump({**row, "task_id": row["id"]}))
    return task_dict(row)


def task_from_rule(tx: Transaction, deal_id: int, action: dict, actor: Actor) -> None:
    due = datetime.now(UTC) + timedelta(hours=float(action.get("due_in_hours", 24)))
    assignee = action.get("assignee")
    create_task(tx, deal_id, action["title"], due, assignee if isinstance(assignee, int) else None, actor)


def crew_asks_to_reschedule(tx: Transaction, request: dict) -> None:
    """A crew asks to move its job: the deal's history says so, and its responsible gets a task (due
    before the job, within a day) and a notice. A job without a deal, or of a deal not here, is left alone."""
    deal = request["deal_id"] and tx.session.execute(
        row_query().where(deals.c.id == request["deal_id"])).mappings().first()
    if not deal:
        return
    actor = Actor(label="scheduling")
    log(tx, request["deal_id"], "booking_reschedule_requested", actor, booking_id=request["booking_id"],
        crew=request["crew_name"], reason=request["reason"],
        preferred_date=request["preferred_date"] and request["preferred_date"].isoformat())
    now = datetime.now(UTC)
    due = max(now, min(now + RESCHEDULE_ANSWER_WITHIN, request["starts_at"]))
    create_task(tx, request["deal_id"], f"Бригада просит перенести: {request['reason']}", due, None, actor)
    if deal["responsible_id"]:
        preferred = request["preferred_date"]
        text = (f"Бригада «{request['crew_name']}» просит перенести выезд по сделке «{deal['title']}»: "
                f"{request['reason']}" + (f" (удобная дата: {preferred:%d.%m.%Y})" if preferred else ""))
        tx.emit("deal.notification_requested.v1", NotificationRequestedV1().dump({
            "deal_id": deal["id"], "recipient_user_ids": [deal["responsible_id"]], "rule_id": None, "text": text}))


def complete_task(tx: Transaction, task_id: int, actor: Actor) -> dict:
    row = tx.session.execute(sa.select(tasks).where(tasks.c.id == task_id).with_for_update()).mappings().first()
    if row is None:
        raise NotFound(f"task {task_id} not found", {"task_id": task_id})
    if row["status"] != "open":
        raise Conflict(f"task {task_id} is {row['status']}", {"status": [row["status"]]})
    done = tx.session.execute(sa.update(tasks).where(tasks.c.id == task_id)
                              .values(status="done", completed_at=sa.func.now()).returning(*tasks.c)).mappings().one()
    log(tx, row["deal_id"], "task_completed", actor, task_id=task_id, title=row["title"])
    tx.emit("deal.task_completed.v1", TaskCompletedV1().dump({**done, "task_id": task_id}))
    deal = deal_row(tx.session, row["deal_id"])
    tx.record(Trigger("task_completed", deal["pipeline"], deal["id"]))
    return task_dict(done)


def overdue_batch(tx: Transaction, limit: int = 100) -> int:
    """Open tasks past their deadline, each reported once: an event, and the task_overdue trigger."""
    rows = tx.session.execute(
        sa.select(tasks).where(tasks.c.status == "open", tasks.c.due_at < sa.func.now(),
                               tasks.c.overdue_reported_at.is_(None))
        .order_by(tasks.c.due_at).limit(limit).with_for_update(skip_locked=True)).mappings().all()
    for row in rows:
        tx.session.execute(sa.update(tasks).where(tasks.c.id == row["id"]).values(overdue_reported_at=sa.func.now()))
        deal = deal_row(tx.session, row["deal_id"])
        log(tx, row["deal_id"], "task_overdue", Actor(), task_id=row["id"], title=row["title"])
        tx.emit("deal.task_overdue.v1", TaskOverdueV1().dump({
            "task_id": row["id"], "deal_id": row["deal_id"], "title": row["title"],
            "assignee_id": row["assignee_id"], "due_at": row["due_at"]}))
        tx.record(Trigger("task_overdue", deal["pipeline"], deal["id"]))
    return len(rows)
