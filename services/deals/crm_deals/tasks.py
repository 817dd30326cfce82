"""Tasks on deals: a deadline and an assignee; completing one or missing its deadline triggers rules."""
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict, NotFound
from crm_deals.deals import Actor, deal_row, log, task_dict
from crm_deals.domain.automation import Trigger
from crm_deals.events import TaskCompletedV1, TaskCreatedV1, TaskOverdueV1
from crm_deals.tables import tasks


def create_task(tx: Transaction, deal_id: int, title: str, due_at: datetime, assignee_id: int | None,
                actor: Actor) -> tuple[dict, list[Trigger]]:
    deal = deal_row(tx.session, deal_id)
    row = tx.session.execute(sa.insert(tasks).values(
        deal_id=deal_id, title=title, due_at=due_at, assignee_id=assignee_id or deal["responsible_id"],
        rule_id=actor.rule_id).returning(*tasks.c)).mappings().one()
    log(tx, deal_id, "task_created", actor, task_id=row["id"], title=title, due_at=due_at.isoformat())
    tx.emit("deal.task_created.v1", TaskCreatedV1().dump({**row, "task_id": row["id"]}))
    return task_dict(row), []


def task_from_rule(tx: Transaction, deal_id: int, action: dict, actor: Actor) -> list[Trigger]:
    due = datetime.now(UTC) + timedelta(hours=float(action.get("due_in_hours", 24)))
    assignee = action.get("assignee")
    _, triggers = create_task(tx, deal_id, action["title"], due, assignee if isinstance(assignee, int) else None, actor)
    return triggers


def complete_task(tx: Transaction, task_id: int, actor: Actor) -> tuple[dict, list[Trigger]]:
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
    return task_dict(done), [Trigger("task_completed", deal["pipeline"], deal["id"])]


def overdue_batch(tx: Transaction, limit: int = 100) -> list[Trigger]:
    """Open tasks past their deadline, each reported once: an event, and the task_overdue trigger."""
    rows = tx.session.execute(
        sa.select(tasks).where(tasks.c.status == "open", tasks.c.due_at < sa.func.now(),
                               tasks.c.overdue_reported_at.is_(None))
        .order_by(tasks.c.due_at).limit(limit).with_for_update(skip_locked=True)).mappings().all()
    found = []
    for row in rows:
        tx.session.execute(sa.update(tasks).where(tasks.c.id == row["id"]).values(overdue_reported_at=sa.func.now()))
        deal = deal_row(tx.session, row["deal_id"])
        log(tx, row["deal_id"], "task_overdue", Actor(), task_id=row["id"], title=row["title"])
        tx.emit("deal.task_overdue.v1", TaskOverdueV1().dump({
            "task_id": row["id"], "deal_id": row["deal_id"], "title": row["title"],
            "assignee_id": row["assignee_id"], "due_at": row["due_at"]}))
        found.append(Trigger("task_overdue", deal["pipeline"], deal["id"]))
    return found
