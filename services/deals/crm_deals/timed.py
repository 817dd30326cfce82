"""Rules a clock starts: time in a stage exceeded, a date field reached. Each fires once per deal
and marker (the stage entry it watched, or the date value), whichever replica sees it first: its
trigger is recorded on the transaction, and the chain runs before the commit like any other."""
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from crm_chassis.db import Transaction
from crm_deals.automation import active_rules
from crm_deals.domain.automation import TIMED_TRIGGERS, Rule, Trigger
from crm_deals.tables import deals, pipelines, stages, timed_firings

BATCH = 200
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def _candidates(tx: Transaction, rule: Rule, today: date):
    spec = rule.trigger
    base = (sa.select(deals.c.id, deals.c.stage_entered_at, deals.c.fields)
            .join(pipelines, pipelines.c.id == deals.c.pipeline_id)
            .join(stages, stages.c.id == deals.c.stage_id)
            .where(pipelines.c.code == rule.pipeline).limit(BATCH))
    if spec["type"] == "time_in_stage_exceeded":
        limit = sa.func.now() - sa.func.make_interval(0, 0, 0, 0, 0, 0, float(spec["hours"]) * 3600)
        rows = tx.session.execute(base.where(stages.c.code == spec["stage"], deals.c.stage_entered_at < limit)
                                  .order_by(deals.c.stage_entered_at))
        return [(row.id, row.stage_entered_at.isoformat()) for row in rows]
    value = deals.c.fields[spec["field"]].astext
    latest = (today + timedelta(days=int(spec.get("days_before", 0)))).isoformat()  # N days ahead of the date
    rows = tx.session.execute(base.where(deals.c.closed_at.is_(None), value.op("~")(ISO_DATE), value <= latest)
                              .order_by(deals.c.id))
    return [(row.id, row.fields[spec["field"]]) for row in rows]


def record_due(tx: Transaction, today: date) -> int:
    """Record the trigger of every timed rule that is due today; how many."""
    due = 0
    for rule in active_rules(tx):
        if rule.trigger["type"] not in TIMED_TRIGGERS:
            continue
        for deal_id, marker in _candidates(tx, rule, today):
            first = tx.session.execute(pg_insert(timed_firings).values(rule_id=rule.id, deal_id=deal_id, marker=marker)
                                       .on_conflict_do_nothing().returning(timed_firings.c.deal_id)).first()
            if first:
                tx.record(Trigger(rule.trigger["type"], rule.pipeline, deal_id, stage=rule.trigger.get("stage"),
                                  field=rule.trigger.get("field")))
                due += 1
    return due
