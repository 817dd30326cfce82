"""A whole configuration at once (pipelines, their fields and gates, automation rules), as a
YAML file describes it: what is missing is created, what changed gets a new version."""
import sqlalchemy as sa

from crm_chassis.db import Transaction
from crm_chassis.errors import InvalidInput
from crm_chassis.validation import load
from crm_deals import automation, pipelines
from crm_deals.events import ConfigurationLoadedV1
from crm_deals.schemas import FieldInput, PipelineInput, RuleInput
from crm_deals.tables import automation_rules


def apply(tx: Transaction, config: dict) -> dict:
    done = {"pipelines_created": [], "fields_added": [], "gates_set": [], "rules_created": [], "rules_changed": []}
    existing = {p["code"]: p for p in pipelines.list_pipelines(tx.session)}
    for raw in config.get("pipelines") or []:
        spec = load(PipelineInput(), raw)
        current = existing.get(spec["code"])
        if current is None:
            pipelines.create_pipeline(tx, spec)
            done["pipelines_created"].append(spec["code"])
            continue
        known_fields = {f["code"] for f in current["fields"]}
        for field in spec["fields"]:
            if field["code"] not in known_fields:
                pipelines.add_field(tx, spec["code"], load(FieldInput(), {k: v for k, v in field.items() if v is not None}))
                done["fields_added"].append(f"{spec['code']}.{field['code']}")
        stages = {s["code"]: s for s in current["stages"]}
        for stage in spec["stages"]:
            if stage["code"] not in stages:
                raise InvalidInput("stages cannot be added to an existing pipeline this way",
                                   {"pipelines": [f"{spec['code']}: no stage {stage['code']}"]})
            held = stages[stage["code"]]
            if (held["required_fields"], held["required_documents"]) != (stage["required_fields"], stage["required_documents"]):
                pipelines.set_stage_gate(tx, spec["code"], stage["code"], stage["required_fields"],
                                         stage["required_documents"])
                done["gates_set"].append(f"{spec['code']}.{stage['code']}")
    by_name = {row.name: row.id for row in tx.session.execute(sa.select(automation_rules.c.id, automation_rules.c.name))}
    for raw in config.get("rules") or []:
        rule = load(RuleInput(), raw)
        rule_id = by_name.get(rule["name"])
        if rule_id is None:
            automation.save_rule(tx, rule)
            done["rules_created"].append(rule["name"])
        elif automation.get_rule(tx.session, rule_id)["definition"] != rule:
            automation.save_rule(tx, rule, rule_id)
            done["rules_changed"].append(rule["name"])
    tx.emit("configuration.loaded.v1", ConfigurationLoadedV1().dump(done))
    return done
