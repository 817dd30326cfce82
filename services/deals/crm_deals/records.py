"""Archive and restore deals, tasks and stages; edit tasks (a deal's own edit is `deals.edit`).

Archived records keep their data and history: lists, the board and pickers leave them out, a card
still opens, reports keep them in history. Archiving what open work depends on is refused with 409
naming it: a deal with open linked deals, a stage with deals in it or rules that move deals there.
"""
from datetime import UTC, datetime

import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict
from crm_chassis.records import changes, locked, save, set_archived
from crm_deals.deals import Actor, deal_row, log, task_dict
from crm_deals.domain.records import TASK_FIELDS, names_stage, plain
from crm_deals.pipelines import stage_row
from crm_deals.tables import automation_rule_versions, automation_rules, deals, stages, tasks


def archive_deal(tx: Transaction, deal_id: int, archived: bool, expected: int | None, actor: Actor) -> None:
    row = deal_row(tx.session, deal_id)
    if not archived and row["archived_at"] is not None and _stage_archived(tx, row["stage_id"]):
        raise Conflict(f"deal {deal_id} stands in an archived stage",
                       {"stage": [f"{row['stage']} is archived: restore the stage first"]})

    def open_linked_deals() -> dict:
        ids = tx.session.execute(sa.select(deals.c.id).where(
            deals.c.parent_deal_id == deal_id, deals.c.closed_at.is_(None), deals.c.archived_at.is_(None))
            .order_by(deals.c.id)).scalars().all()
        return {"open_deals": ids} if ids else {}

    before = row["version"]
    if set_archived(tx, deals, "deal", deal_id, archived, expected, open_linked_deals) != before:
        log(tx, deal_id, "archived" if archived else "restored", actor)


def _stage_archived(tx: Transaction, stage_id: int) -> bool:
    return tx.session.execute(sa.select(stages.c.archived_at).where(stages.c.id == stage_id)).scalar() is not None


def edit_task(tx: Transaction, task_id: int, edit: dict, expected: int | None, actor: Actor) -> dict:
    """Title, due time, assignee; a task moved to a later time may be reported overdue again when it is."""
    row = locked(tx, tasks, "task", task_id, expected)
    wanted = {name: edit[name] for name in TASK_FIELDS if name in edit}
    changed = changes(plain(row), plain(wanted))
    if changed:
        rescheduled = {"overdue_reported_at": None} if "due_at" in changed and wanted["due_at"] > datetime.now(UTC) else {}
        save(tx, tasks, "task", row, changed, **{name: wanted[name] for name in changed}, **rescheduled)
        log(tx, row["deal_id"], "task_changed", actor, task_id=task_id, changes=changed)
    return _task(tx, task_id)


def archive_task(tx: Transaction, task_id: int, archived: bool, expected: int | None, actor: Actor) -> dict:
    before = locked(tx, tasks, "task", task_id)
    if set_archived(tx, tasks, "task", task_id, archived, expected) != before["version"]:
        log(tx, before["deal_id"], "task_archived" if archived else "task_restored", actor, task_id=task_id)
    return _task(tx, task_id)


def _task(tx: Transaction, task_id: int) -> dict:
    return task_dict(tx.session.execute(sa.select(tasks).where(tasks.c.id == task_id)).mappings().one())


def archive_stage(tx: Transaction, pipeline: str, stage: str, archived: bool) -> None:
    """An archived stage is no board column and no place to move deals to; refused while deals stand
    in it or active rules name it (as trigger or move target)."""
    stage_id = stage_row(tx.session, pipeline, stage).id

    def what_depends() -> dict:
        found = {}
        in_it = tx.session.execute(sa.select(deals.c.id).where(deals.c.stage_id == stage_id,
                                                               deals.c.archived_at.is_(None))
                                   .order_by(deals.c.id)).scalars().all()
        if in_it:
            found["deals"] = in_it
        rules = [rule_id for rule_id, definition in tx.session.execute(
            sa.select(automation_rules.c.id, automation_rule_versions.c.definition)
            .join(automation_rule_versions, sa.and_(automation_rule_versions.c.rule_id == automation_rules.c.id,
                                                    automation_rule_versions.c.version == automation_rules.c.version))
            .where(automation_rules.c.active).order_by(automation_rules.c.id))
            if names_stage(definition, pipeline, stage)]
        if rules:
            found["rules"] = rules
        return found

    set_archived(tx, stages, "stage", stage_id, archived, blockers=what_depends)
