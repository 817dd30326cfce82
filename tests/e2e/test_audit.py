"""The audit trail through the gateway: who changed what, when, from what to what; read only."""
import csv
import uuid

import yaml

from crm_chassis.events import make_envelope
from tests.e2e.test_deals import pipeline, rule
from tests.e2e.test_leads import mobile_digits
from tests.e2e.test_legacy_import import run
from tests.e2e.test_scheduling import new_crew
from tests.support.system import eventually, publish_event


def history(client, **params) -> list[dict]:
    response = client.get("/audit", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def entries_where(client, predicate, **params) -> list[dict]:
    return eventually(lambda: [entry for entry in history(client, **params) if predicate(entry)])


def test_a_move_by_a_user_and_the_rule_it_fires_are_on_the_deals_history(system):
    flow = pipeline(system, "audit", [("new", "Новая", "open", []), ("measure", "Замер", "open", []),
                                      ("offer", "КП", "open", [])])
    fired = rule(system, pipeline=flow, trigger={"type": "entered_stage", "stage": "measure"},
                 actions=[{"type": "move", "stage": "offer"}])
    manager = system.user("manager")
    me = manager.get("/me").json()
    deal = manager.post("/deals", json={"pipeline": flow, "title": "Окна: Иванов"}).json()
    assert manager.post(f"/deals/{deal['id']}/move", json={"stage": "measure"}).status_code == 200

    controller = system.user("controller")
    moves = entries_where(controller, lambda e: e["action"] == "stage_changed", entity="deal", id=deal["id"])
    assert len(moves) == 2
    by_rule, by_user = moves  # newest first
    assert by_user["actor"]["kind"] == "user" and by_user["actor"]["id"] == str(me["id"])
    assert by_user["actor"]["role"] == "manager"
    assert by_user["changes"]["stage"] == {"from": "new", "to": "measure"}
    assert by_rule["actor"]["kind"] == "rule"
    assert (by_rule["actor"]["rule_id"], by_rule["actor"]["rule_version"]) == (fired["id"], 1)
    assert by_rule["changes"]["stage"] == {"from": "measure", "to": "offer"}
    assert by_rule["at"] >= by_user["at"]
    created = entries_where(controller, lambda e: e["action"] == "created", entity="deal", id=deal["id"])
    assert created[0]["changes"]["title"] == {"from": None, "to": "Окна: Иванов"}

    saved = entries_where(controller, lambda e: e["action"] == "saved", entity="automation_rule", id=fired["id"])
    assert saved[0]["actor"]["kind"] == "user" and saved[0]["changes"]["definition"]["to"]["pipeline"] == flow
    mine = entries_where(controller, lambda e: e["entity_id"] == str(deal["id"]), actor_id=me["id"])
    assert {entry["action"] for entry in mine} >= {"created", "stage_changed"}

    assert manager.get("/audit", params={"entity": "deal", "id": deal["id"]}).status_code == 403
    assert controller.get("/audit", params={"id": deal["id"]}).json()["details"] == {"entity": ["an id needs its entity"]}


def test_the_audit_is_the_same_after_a_rebuild_and_cannot_be_written(system):
    flow = pipeline(system, "rebuilt", [("new", "Новая", "open", []), ("done", "Готово", "won", [])])
    deal = system.admin.post("/deals", json={"pipeline": flow, "title": "Перестройка"}).json()
    system.admin.post(f"/deals/{deal['id']}/move", json={"stage": "done"})
    entries_where(system.admin, lambda e: e["action"] == "closed", entity="deal", id=deal["id"])
    before = history(system.admin, entity="deal", id=deal["id"])
    assert system.admin.post("/admin/reports/rebuild").status_code == 200
    assert history(system.admin, entity="deal", id=deal["id"]) == before
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert system.admin.request(method, "/audit", json={"entity": "deal"}).status_code == 405


def test_a_login_and_the_users_creation_are_in_the_users_history(system):
    fresh = system.user("operator")
    me = fresh.get("/me").json()
    admin = system.admin.get("/me").json()
    entries = history(system.admin, entity="user", id=me["id"])
    assert [entry["action"] for entry in entries] == ["logged_in", "created"]
    logged_in, created = entries
    assert logged_in["actor"] == {"kind": "user", "id": str(me["id"]), "label": me["login"], "role": "operator",
                                  "rule_id": None, "rule_version": None}
    assert created["actor"]["id"] == str(admin["id"]) and created["changes"]["role"] == {"from": None,
                                                                                          "to": "operator"}


def test_an_imported_lead_is_the_imports_doing(system, tmp_path):
    tag = uuid.uuid4().hex[:8]
    source = tmp_path / f"import-{tag}.csv"
    with open(source, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=["ID", "Имя", "Статус"])
        writer.writeheader()
        writer.writerow({"ID": f"audit-{tag}", "Имя": f"Клиент {tag}", "Статус": "Новая"})
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump({"columns": {"legacy_id": "ID", "name": "Имя", "stage": "Статус"},
                                       "stages": {"Новая": "new"}}, allow_unicode=True), encoding="utf-8")
    assert run("crm-import-leads", str(source), "--mapping", str(mapping)).stdout.strip() == \
        "imported 1, already there 0, rejected 0"
    lead = system.admin.get("/leads", params={"q": f"Клиент {tag}", "source": "import"}).json()["items"][0]
    created = entries_where(system.admin, lambda e: e["action"] == "created", entity="lead", id=lead["id"])
    assert created[0]["actor"]["kind"] == "import" and created[0]["actor"]["label"] == source.name


def test_configuration_changes_are_on_record_with_their_before_and_after(system):
    crew = new_crew(system)
    assert system.admin.post(f"/crews/{crew['id']}", json={"zones": ["Север", "Центр"]}).status_code == 200
    flow = pipeline(system, "gated", [("new", "Новая", "open", []), ("paid", "Оплачено", "won", [])],
                    [{"code": "invoice", "name": "Счёт", "type": "text"}])
    assert system.admin.post(f"/pipelines/{flow}/stages/paid/gate",
                             json={"required_fields": ["invoice"]}).status_code == 200

    controller = system.user("controller")
    zones = entries_where(controller, lambda e: e["action"] == "changed", entity="crew", id=crew["id"])
    assert zones[0]["changes"] == {"zones": {"from": ["Север"], "to": ["Север", "Центр"]}}
    gate = entries_where(controller, lambda e: e["action"] == "changed", entity="pipeline", id=flow)
    assert gate[0]["changes"]["stages.paid.required_fields"] == {"from": [], "to": ["invoice"]}
    assert gate[0]["actor"]["kind"] == "user" and gate[0]["actor"]["role"] == "admin"
    every_pipeline = history(controller, entity="pipeline")
    assert {entry["entity_id"] for entry in every_pipeline} >= {flow}


def test_an_erased_contact_keeps_who_and_what_but_not_the_values(system):
    phone = f"+{mobile_digits()}"
    lead = system.admin.post("/leads", json={"name": "Стираемый Клиент", "phone": phone}).json()
    contact_id = lead["contact"]["id"]
    about = entries_where(system.admin, lambda e: e["action"] == "created", entity="contact", id=contact_id)
    assert "Стираемый Клиент" in about[0]["changes"]["title"]["to"]
    erased = make_envelope("contact.erased.v1", {"contact_id": contact_id, "reason": "по запросу",
                                                 "personal": {"phones": [phone]}}, "leads", None)
    erased["transient"] = ["personal"]  # the identifiers a consumer may use but never keep
    publish_event(system, erased)

    def masked():
        entries = history(system.admin, entity="contact", id=contact_id)
        created = next(e for e in entries if e["action"] == "created" and e["entity"] == "lead")
        return created if created["changes"]["title"]["to"] == "***" else None

    created = eventually(masked)
    assert created["actor"]["kind"] == "user" and "Стираемый" not in str(history(system.admin, entity="lead",
                                                                                 id=lead["id"]))
    kept = str(history(system.admin, entity="contact", id=contact_id))
    assert "по запросу" in kept and phone not in kept and phone[1:] not in kept


def test_a_contacts_edit_shows_who_changed_which_field_from_what_to_what(system):
    operator = system.user("operator")
    me = operator.get("/me").json()
    lead = operator.post("/leads", json={"name": "Ольга Смирнова", "phone": f"+{mobile_digits()}"}).json()
    contact_id = lead["contact"]["id"]
    edited = operator.patch(f"/contacts/{contact_id}", json={"name": "Ольга Петровна Смирнова"})
    assert edited.status_code == 200, edited.text

    changed = entries_where(system.user("controller"), lambda e: e["action"] == "changed",
                            entity="contact", id=contact_id)
    assert changed[0]["changes"]["name"] == {"from": "Ольга Смирнова", "to": "Ольга Петровна Смирнова"}
    assert changed[0]["actor"]["id"] == str(me["id"]) and changed[0]["actor"]["role"] == "operator"
