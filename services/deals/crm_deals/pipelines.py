"""Pipelines as data: stages (with the fields each requires), custom fields, the client type."""
import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import Conflict, InvalidInput, NotFound
from crm_chassis.scope import in_departments
from crm_deals.domain.automation import PipelineInfo
from crm_deals.events import PipelineChangedV1, PipelineCreatedV1
from crm_deals.tables import pipeline_fields, pipelines, stages


def create_pipeline(tx: Transaction, spec: dict) -> dict:
    codes = [stage["code"] for stage in spec["stages"]]
    if len(set(codes)) != len(codes):
        raise Conflict("stage codes repeat", {"stages": ["every stage needs its own code"]})
    field_codes = {f["code"] for f in spec["fields"]}
    unknown = {code for stage in spec["stages"] for code in stage["required_fields"]} - field_codes
    if unknown:
        raise InvalidInput("invalid input", {"stages": [f"required fields not defined: {', '.join(sorted(unknown))}"]})
    if tx.session.execute(sa.select(pipelines.c.id).where(pipelines.c.code == spec["code"])).first():
        raise Conflict(f"pipeline {spec['code']} exists", {"code": ["already exists"]})
    if spec.get("client_type") and tx.session.execute(
            sa.select(pipelines.c.id).where(pipelines.c.client_type == spec["client_type"])).first():
        raise Conflict("another pipeline serves this client type", {"client_type": ["already taken"]})
    pipeline_id = tx.session.execute(sa.insert(pipelines).values(
        code=spec["code"], name=spec["name"], client_type=spec.get("client_type"),
        department_ids=spec["department_ids"]).returning(pipelines.c.id)
    ).scalar_one()
    tx.session.execute(sa.insert(stages), [
        {**stage, "pipeline_id": pipeline_id, "position": position} for position, stage in enumerate(spec["stages"])])
    if spec["fields"]:
        tx.session.execute(sa.insert(pipeline_fields), [{**f, "pipeline_id": pipeline_id} for f in spec["fields"]])
    tx.emit("pipeline.created.v1", PipelineCreatedV1().dump({
        "pipeline_id": pipeline_id, "code": spec["code"], "name": spec["name"], "client_type": spec.get("client_type"),
        "stages": codes, "fields": sorted(field_codes)}))
    return get_pipeline(tx.session, spec["code"])


def _changed(tx: Transaction, pipeline_id: int, code: str, changes: dict) -> None:
    tx.emit("pipeline.changed.v1", PipelineChangedV1().dump(
        {"pipeline_id": pipeline_id, "code": code, "changes": changes}))


def add_field(tx: Transaction, code: str, spec: dict) -> dict:
    pipeline_id = _pipeline_id(tx.session, code)
    if tx.session.execute(sa.select(pipeline_fields.c.id).where(
            pipeline_fields.c.pipeline_id == pipeline_id, pipeline_fields.c.code == spec["code"])).first():
        raise Conflict(f"field {spec['code']} exists", {"code": ["already exists"]})
    tx.session.execute(sa.insert(pipeline_fields).values(**spec, pipeline_id=pipeline_id))
    _changed(tx, pipeline_id, code, {f"fields.{spec['code']}": {"from": None, "to": spec}})
    return get_pipeline(tx.session, code)


def set_stage_gate(tx: Transaction, code: str, stage: str, required: list[str], documents: list[str]) -> dict:
    """What a deal needs to enter `stage`: these fields filled, documents of these kinds uploaded."""
    pipeline = get_pipeline(tx.session, code)
    unknown = set(required) - {f["code"] for f in pipeline["fields"]}
    if unknown:
        raise InvalidInput("invalid input", {"required_fields": [f"not fields of {code}: {', '.join(sorted(unknown))}"]})
    updated = tx.session.execute(sa.update(stages).where(stages.c.pipeline_id == _pipeline_id(tx.session, code),
                                                         stages.c.code == stage)
                                 .values(required_fields=required, required_documents=documents)
                                 .returning(stages.c.id)).first()
    if updated is None:
        raise NotFound(f"stage {stage} not found", {"stage": [f"unknown in pipeline {code}"]})
    before = next(held for held in pipeline["stages"] if held["code"] == stage)
    changes = {f"stages.{stage}.{key}": {"from": before[key], "to": now}
               for key, now in (("required_fields", required), ("required_documents", documents)) if before[key] != now}
    if changes:
        _changed(tx, _pipeline_id(tx.session, code), code, changes)
    return get_pipeline(tx.session, code)


def _pipeline_id(session, code: str) -> int:
    pipeline_id = session.execute(sa.select(pipelines.c.id).where(pipelines.c.code == code)).scalar()
    if pipeline_id is None:
        raise NotFound(f"pipeline {code} not found", {"pipeline": [f"unknown pipeline {code}"]})
    return pipeline_id


def get_pipeline(session, code: str) -> dict:
    pipeline = session.execute(sa.select(pipelines).where(pipelines.c.code == code)).mappings().first()
    if pipeline is None:
        raise NotFound(f"pipeline {code} not found", {"pipeline": [f"unknown pipeline {code}"]})
    stage_rows = session.execute(
        sa.select(stages.c.code, stages.c.name, stages.c.kind, stages.c.required_fields, stages.c.required_documents,
                  stages.c.version, stages.c.archived_at)
        .where(stages.c.pipeline_id == pipeline["id"]).order_by(stages.c.position)).mappings().all()
    live = [row for row in stage_rows if row["archived_at"] is None]
    field_rows = session.execute(
        sa.select(pipeline_fields.c.code, pipeline_fields.c.name, pipeline_fields.c.type, pipeline_fields.c.options)
        .where(pipeline_fields.c.pipeline_id == pipeline["id"]).order_by(pipeline_fields.c.id)).mappings()
    return {"code": pipeline["code"], "name": pipeline["name"], "client_type": pipeline["client_type"],
            "department_ids": list(pipeline["department_ids"]),
            "stages": [_stage_dict(row) for row in live],
            "archived_stages": [_stage_dict(row) for row in stage_rows if row["archived_at"] is not None],
            "fields": [dict(row) for row in field_rows]}


def _stage_dict(row) -> dict:
    return {**row, "required_fields": list(row["required_fields"]), "required_documents": list(row["required_documents"]),
            "archived_at": row["archived_at"] and row["archived_at"].isoformat()}


def set_departments(tx: Transaction, code: str, department_ids: list[int]) -> dict:
    """Limit a pipeline (and its deals) to these departments' viewers; empty opens it to all."""
    tx.session.execute(sa.update(pipelines).where(pipelines.c.id == _pipeline_id(tx.session, code))
                       .values(department_ids=sorted(set(department_ids))))
    return get_pipeline(tx.session, code)


def list_pipelines(session) -> list[dict]:
    """The pipelines the viewer may see (a pipeline limited to departments: their viewers only)."""
    codes = session.execute(sa.select(pipelines.c.code).where(in_departments(pipelines.c.department_ids))
                            .order_by(pipelines.c.id)).scalars().all()
    return [get_pipeline(session, code) for code in codes]


def field_definitions(session, pipeline_id: int) -> dict[str, dict]:
    rows = session.execute(sa.select(pipeline_fields).where(pipeline_fields.c.pipeline_id == pipeline_id)).mappings()
    return {row["code"]: {"type": row["type"], "options": row["options"]} for row in rows}


def infos(session) -> dict[str, PipelineInfo]:
    """What rule validation needs to know of every pipeline."""
    found = {}
    for pipeline in list_pipelines(session):
        found[pipeline["code"]] = PipelineInfo(stages={s["code"]: s["kind"] for s in pipeline["stages"]},
                                               fields={f["code"] for f in pipeline["fields"]})
    return found


def stage_row(session, pipeline_code: str, stage_code: str | None):
    """A stage of a pipeline (its first one when `stage_code` is None), or NotFound."""
    query = (sa.select(pipelines.c.id.label("pipeline_id"), stages.c.id, stages.c.code, stages.c.name,
                       stages.c.kind, stages.c.required_fields, stages.c.required_documents, stages.c.version,
                       stages.c.archived_at)
             .join(stages, stages.c.pipeline_id == pipelines.c.id)
             .where(pipelines.c.code == pipeline_code).order_by(stages.c.position))
    if stage_code is not None:
        query = query.where(stages.c.code == stage_code)
    else:  # where new deals open: the first stage still in use
        query = query.where(stages.c.archived_at.is_(None))
    row = session.execute(query).first()
    if row is None:
        raise NotFound(f"stage {stage_code or 'first'} of pipeline {pipeline_code} not found",
                       {"stage": [f"unknown in pipeline {pipeline_code}"]})
    return row
