"""The managers' console pieces: a pipeline's deal kanban, the user directory, the deal card's rule names."""
import uuid
from datetime import UTC, datetime, timedelta

from tests.e2e.test_deals import code, pipeline, rule


def board_pipeline(system) -> str:
    name = pipeline(system, "board", [("new", "Новая", "open", []), ("offer", "КП", "open", ["address"]),
                                      ("won", "Выиграна", "won", []), ("lost", "Проиграна", "lost", [])],
                    [{"code": "address", "name": "Адрес", "type": "text"}])
    gate = system.admin.post(f"/pipelines/{name}/stages/won/gate",
                             json={"required_fields": ["address"], "required_documents": ["contract"]})
    assert gate.status_code == 200, gate.text
    return name


def open_deal(client, name: str, title: str, amount: str) -> dict:
    response = client.post("/deals", json={"pipeline": name, "title": title, "amount": amount})
    assert response.status_code == 201, response.text
    return response.json()


def test_the_board_counts_and_sums_every_deal_of_a_stage_and_lists_the_newest(system):
    name = board_pipeline(system)
    anna, boris = system.user("manager"), system.user("manager")
    mark = uuid.uuid4().hex[:6]
    annas = [open_deal(anna, name, f"Окна {mark} №{i}", amount) for i, amount in
             enumerate(["100.50", "200", "300", "400", "500"])]
    borises = [open_deal(boris, name, f"Двери №{i}", "1000") for i in range(4)]
    offered = boris.post(f"/deals/{borises[0]['id']}/move", json={"stage": "offer", "fields": {"address": "Лесная, 5"}})
    assert offered.status_code == 200, offered.text
    assert boris.post(f"/deals/{borises[1]['id']}/move", json={"stage": "lost"}).status_code == 200
    late = anna.post(f"/deals/{annas[-1]['id']}/tasks", json={
        "title": "Перезвонить", "due_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat()})
    assert late.status_code == 201, late.text

    response = system.user("operator").get("/deals/board", params={"pipeline": name, "per_stage": 3})
    assert response.status_code == 200, response.text
    board = response.json()
    assert board["pipeline"] == {"code": name, "name": f"Воронка {name}", "client_type": None}
    assert [(s["code"], s["name"], s["kind"], s["count"], s["amount"]) for s in board["stages"]] == [
        ("new", "Новая", "open", 7, "3500.50"), ("offer", "КП", "open", 1, "1000.00"),
        ("won", "Выиграна", "won", 0, "0.00"), ("lost", "Проиграна", "lost", 1, "1000.00")]
    new, offer, won, _ = board["stages"]
    assert [d["id"] for d in new["deals"]] == [borises[3]["id"], borises[2]["id"], annas[4]["id"]]
    assert (offer["required_fields"], offer["required_documents"]) == (["address"], [])
    assert (won["required_fields"], won["required_documents"], won["deals"]) == (["address"], ["contract"], [])
    newest_of_annas = new["deals"][2]
    assert newest_of_annas == {
        "id": annas[4]["id"], "title": f"Окна {mark} №4", "amount": "500.00",
        "responsible_id": annas[4]["responsible_id"], "contact_id": None, "company_id": None, "client_type": "private",
        "stage_entered_at": newest_of_annas["stage_entered_at"], "days_in_stage": 0, "has_overdue_tasks": True}
    assert [d["has_overdue_tasks"] for d in new["deals"][:2]] == [False, False]

    own = anna.get("/deals/board", params={"pipeline": name, "mine": "true", "per_stage": 2}).json()
    assert [(s["count"], s["amount"], len(s["deals"])) for s in own["stages"]] == [
        (5, "1500.50", 2), (0, "0.00", 0), (0, "0.00", 0), (0, "0.00", 0)]
    by_id = system.admin.get("/deals/board", params={"pipeline": name, "responsible_id": borises[0]["responsible_id"]})
    assert [s["count"] for s in by_id.json()["stages"]] == [2, 1, 0, 1]
    found = anna.get("/deals/board", params={"pipeline": name, "q": f"окна {mark} №3", "per_stage": 0}).json()
    assert [(s["count"], s["amount"], s["deals"]) for s in found["stages"]][0] == (1, "400.00", [])


def test_the_board_refuses_bad_input_and_other_roles(system):
    name = board_pipeline(system)
    manager = system.user("manager")
    for params, field in (({"pipeline": "Не код"}, "pipeline"), ({}, "pipeline"),
                          ({"pipeline": code("nowhere")}, "pipeline"),
                          ({"pipeline": name, "per_stage": 101}, "per_stage"),
                          ({"pipeline": name, "per_stage": -1}, "per_stage"),
                          ({"pipeline": name, "per_stage": "много"}, "per_stage"),
                          ({"pipeline": name, "responsible_id": "кто"}, "responsible_id")):
        refused = manager.get("/deals/board", params=params)
        assert refused.status_code == 400, (params, refused.text)
        assert field in refused.json()["details"], refused.text
    assert system.user("crew_member").get("/deals/board", params={"pipeline": name}).status_code == 403
    assert system.anonymous().get("/deals/board", params={"pipeline": name}).status_code == 401


def test_staff_read_the_user_directory_without_logins_or_secrets(system):
    manager = system.user("manager")
    me = manager.get("/me").json()
    dismissed = system.user("operator")
    gone = dismissed.get("/me").json()
    assert system.admin.post(f"/users/{gone['id']}/dismiss", json={"substitute_id": me["id"]}).status_code == 200

    response = system.user("controller").get("/users/directory")
    assert response.status_code == 200, response.text
    people = {person["id"]: person for person in response.json()}
    assert people[me["id"]] == {"id": me["id"], "full_name": "Тест manager", "role": "manager", "active": True}
    assert people[gone["id"]]["active"] is False
    assert all(set(person) == {"id", "full_name", "role", "active"} for person in people.values())
    assert system.user("crew_member").get("/users/directory").status_code == 403
    assert manager.get("/users").status_code == 403


def test_the_card_names_the_rule_version_behind_each_automatic_change_and_the_deal_it_came_from(system):
    sale = pipeline(system, "sale", [("new", "Новая", "open", []), ("won", "Выиграна", "won", [])])
    job = pipeline(system, "job", [("todo", "Сделать", "open", []), ("done", "Сделано", "won", [])])
    first_name, second_name = code("Открыть работу"), code("Открыть выезд")
    opener = rule(system, name=first_name, pipeline=sale, trigger={"type": "deal_created"},
                  actions=[{"type": "create_linked_deal", "pipeline": job, "title": "Работа: {title}"}])
    manager = system.user("manager")
    before = open_deal(manager, sale, "Кухня", "10")
    renamed = system.admin.post(f"/automation/rules/{opener['id']}", json={
        "name": second_name, "pipeline": sale, "trigger": {"type": "deal_created"},
        "actions": [{"type": "create_linked_deal", "pipeline": job, "title": "Работа: {title}"}]})
    assert renamed.status_code == 200, renamed.text
    after = open_deal(manager, sale, "Ванная", "20")

    def by_rule(deal):
        card = manager.get(f"/deals/{deal['id']}").json()
        return [(h["rule_id"], h["rule_version"], h["rule_name"]) for h in card["history"] if h["rule_id"]], card

    assert by_rule(before)[0] == [(opener["id"], 1, first_name)]
    (automatic, card) = by_rule(after)
    assert automatic == [(opener["id"], 2, second_name)]
    assert all(h["rule_name"] is None for h in card["history"] if not h["rule_id"])
    [child] = card["linked_deals"]
    child_card = manager.get(f"/deals/{child['id']}").json()
    assert (child_card["parent_deal"]["id"], child_card["parent_deal"]["title"]) == (after["id"], "Ванная")
    assert card["parent_deal"] is None
