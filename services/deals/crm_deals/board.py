"""The deal kanban of one pipeline in two queries: the stages with their counts and sums over
every matching deal (GROUP BY), then the newest `per_stage` deals of each stage (a window)."""
from datetime import UTC, datetime

import sqlalchemy as sa

from crm_chassis.errors import InvalidInput
from crm_deals.domain.board import lay_out
from crm_deals.tables import deals, pipelines, stages, tasks


def _matching(responsible_id: int | None, q: str | None) -> list:
    found = [deals.c.archived_at.is_(None)]
    if responsible_id is not None:
        found.append(deals.c.responsible_id == responsible_id)
    if q:
        found.append(deals.c.title.icontains(q, autoescape=True))
    return found


def board(session, *, pipeline: str, responsible_id: int | None = None, q: str | None = None,
          per_stage: int) -> dict:
    matching = _matching(responsible_id, q)
    stage_rows = session.execute(
        sa.select(pipelines.c.name.label("pipeline_name"), pipelines.c.client_type, stages.c.id, stages.c.code,
                  stages.c.name, stages.c.kind, stages.c.required_fields, stages.c.required_documents,
                  sa.func.count(deals.c.id).label("count"),
                  sa.func.coalesce(sa.func.sum(deals.c.amount), 0).label("amount"))
        .select_from(pipelines.join(stages, stages.c.pipeline_id == pipelines.c.id)
                     .outerjoin(deals, sa.and_(deals.c.stage_id == stages.c.id, *matching)))
        .where(pipelines.c.code == pipeline, stages.c.archived_at.is_(None))
        .group_by(pipelines.c.id, stages.c.id).order_by(stages.c.position)).mappings().all()
    if not stage_rows:  # every pipeline has a stage: none means no such pipeline
        raise InvalidInput(f"pipeline {pipeline} not found", {"pipeline": [f"unknown pipeline {pipeline}"]})

    ranked = (sa.select(deals.c.id, deals.c.stage_id, deals.c.title, deals.c.amount, deals.c.responsible_id,
                        deals.c.contact_id, deals.c.company_id, deals.c.stage_entered_at,
                        sa.func.row_number().over(partition_by=deals.c.stage_id, order_by=deals.c.id.desc())
                        .label("rank"))
              .where(deals.c.stage_id.in_([row["id"] for row in stage_rows]), *matching).subquery())
    overdue = sa.exists().where(tasks.c.deal_id == ranked.c.id, tasks.c.status == "open",
                                tasks.c.archived_at.is_(None), tasks.c.due_at < sa.func.now())
    cards = session.execute(sa.select(ranked, overdue.label("has_overdue_tasks"), sa.func.now().label("now"))
                            .where(ranked.c.rank <= per_stage).order_by(ranked.c.id.desc())).mappings().all()
    now = cards[0]["now"] if cards else datetime.now(UTC)  # the database's clock when there are cards to age
    first = stage_rows[0]
    return {"pipeline": {"code": pipeline, "name": first["pipeline_name"], "client_type": first["client_type"]},
            "per_stage": per_stage,
            "stages": lay_out([dict(row) for row in stage_rows], [dict(row) for row in cards],
                              first["client_type"], now)}
