"""Pipelines and deals: load, decide, save, emit."""
import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict, NotFound
from crm_deals.events import DealCreatedV1, DealStageChangedV1
from crm_deals.schemas import DealOutput
from crm_deals.tables import deals, pipelines, stages


def create_pipeline(tx: Transaction, spec: dict) -> dict:
    codes = [stage["code"] for stage in spec["stages"]]
    if len(set(codes)) != len(codes):
        raise Conflict("stage codes repeat", {"stages": ["every stage needs its own code"]})
    exists = tx.session.execute(
        sa.select(pipelines.c.id).where(pipelines.c.code == spec["code"])
    ).scalar_one_or_none()
    if exists is not None:
        raise Conflict(f"pipeline {spec['code']} exists", {"code": ["already exists"]})
    pipeline_id = tx.session.execute(
        sa.insert(pipelines).values(code=spec["code"], name=spec["name"]).returning(pipelines.c.id)
    ).scalar_one()
    tx.session.execute(sa.insert(stages), [
        {**stage, "pipeline_id": pipeline_id, "position": position}
        for position, stage in enumerate(spec["stages"])
    ])
    return get_pipeline(tx.session, spec["code"])


def get_pipeline(session, code: str) -> dict:
    pipeline = session.execute(sa.select(pipelines).where(pipelines.c.code == code)).mappings().first()
    if pipeline is None:
        raise NotFound(f"pipeline {code} not found", {"pipeline": code})
    rows = session.execute(
        sa.select(stages.c.code, stages.c.name, stages.c.kind)
        .where(stages.c.pipeline_id == pipeline["id"]).order_by(stages.c.position)
    ).mappings()
    return {"code": pipeline["code"], "name": pipeline["name"], "stages": [dict(row) for row in rows]}


def list_pipelines(session) -> list[dict]:
    codes = session.execute(sa.select(pipelines.c.code).order_by(pipelines.c.id)).scalars().all()
    return [get_pipeline(session, code) for code in codes]


def _stage(session, pipeline_code: str, stage_code: str | None):
    query = (
        sa.select(pipelines.c.id.label("pipeline_id"), stages.c.id, stages.c.code)
        .join(stages, stages.c.pipeline_id == pipelines.c.id)
        .where(pipelines.c.code == pipeline_code)
        .order_by(stages.c.position)
    )
    if stage_code is not None:
        query = query.where(stages.c.code == stage_code)
    row = session.execute(query).first()
    if row is None:
        raise NotFound(f"stage {stage_code or 'first'} of pipeline {pipeline_code} not found",
                       {"stage": [f"unknown in pipeline {pipeline_code}"]})
    return row


def create_deal(tx: Transaction, spec: dict) -> dict:
    first = _stage(tx.session, spec["pipeline"], None)
    deal_id = tx.session.execute(
        sa.insert(deals).values(
            pipeline_id=first.pipeline_id, stage_id=first.id, title=spec["title"],
            contact_id=spec["contact_id"], amount=spec["amount"],
        ).returning(deals.c.id)
    ).scalar_one()
    deal = _deal_row(tx.session, deal_id)
    tx.emit("deal.created.v1", DealCreatedV1().dump({**deal, "deal_id": deal_id}))
    return DealOutput().dump(deal)


def move_deal(tx: Transaction, deal_id: int, stage: str) -> dict:
    current = _deal_row(tx.session, deal_id, for_update=True)
    target = _stage(tx.session, current["pipeline"], stage)
    if current["stage"] == stage:
        return DealOutput().dump(current)
    tx.session.execute(
        sa.update(deals).where(deals.c.id == deal_id).values(stage_id=target.id, updated_at=sa.func.now())
    )
    moved = _deal_row(tx.session, deal_id)
    tx.emit("deal.stage_changed.v1", DealStageChangedV1().dump({
        "deal_id": deal_id, "pipeline": moved["pipeline"], "from_stage": current["stage"],
        "to_stage": stage, "changed_at": moved["updated_at"],
    }))
    return DealOutput().dump(moved)


def get_deal(session, deal_id: int) -> dict:
    return DealOutput().dump(_deal_row(session, deal_id))


def _deal_row(session, deal_id: int, for_update: bool = False):
    query = (
        sa.select(deals, pipelines.c.code.label("pipeline"), stages.c.code.label("stage"),
                  stages.c.name.label("stage_name"))
        .join(pipelines, pipelines.c.id == deals.c.pipeline_id)
        .join(stages, stages.c.id == deals.c.stage_id)
        .where(deals.c.id == deal_id)
    )
    if for_update:
        query = query.with_for_update(of=deals)
    row = session.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"deal {deal_id} not found", {"deal_id": deal_id})
    return row
