"""Deals, tasks and stages as everyday records: edited with the version read, archived and restored,
and every view that shows them (the board, the card, the lists, the KPI row) following."""
from datetime import UTC, datetime, timedelta

from tests.e2e.test_deal_board import open_deal
from tests.e2e.test_deals import pipeline, rule
from tests.e2e.test_reports import kpi_row
from tests.support.system import eventually

SALES_FIELDS = [{"code": "service", "name": "Услуга", "type": "list", "options": ["Окна", "Двери"]}]


def sales_pipeline(system) -> str:
    return pipeline(system, "rec", [("new", "Новая", "open", []), ("offer", "КП", "open", []),
                                    ("won", "Выиграна", "won", []), ("lost", "Проиграна", "lost", [])], SALES_FIELDS)


def stage_sums(client, name: str) -> dict:
    board = client.get("/deals/board", params={"pipeline": name}).json()
    return {stage["code"]: (stage["count"], stage["amount"]) for stage in board["stages"]}


def test_a_deal_edit_reaches_the_board_the_card_and_the_managers_kpi_row(system):
    name = sales_pipeline(system)
    manager = system.user("manager")
    deal = open_deal(manager, name, "Окна: Орлова", "1000")
    eventually(lambda: (row := kpi_row(manager)) and row["in_progress_sum_month"] == "1000.00")

    read = manager.get(f"/deals/{deal['id']}")
    assert read.headers["ETag"] == '"1"' and read.json()["version"] == 1
    edited = manager.patch(f"/deals/{deal['id']}", headers={"If-Match": read.headers["ETag"]},
                           json={"amount": "2500.50", "title": "Окна и двери: Орлова", "fields": {"service": "Двери"}})

    assert edited.status_code == 200, edited.text
    card = edited.json()
    assert (card["amount"], card["title"], card["fields"], card["version"]) == (
        "2500.50", "Окна и двери: Орлова", {"service": "Двери"}, 2)
    assert edited.headers["ETag"] == '"2"'
    assert [(h["kind"], h["details"]["changes"]) for h in card["history"][-2:]] == [
        ("changed", {"amount": {"from": "1000.00", "to": "2500.50"},
                     "title": {"from": "Окна: Орлова", "to": "Окна и двери: Орлова"}}),
        ("fields_changed", {"service": {"from": None, "to": "Двери"}})]
    assert stage_sums(manager, name)["new"] == (1, "2500.50")
    assert eventually(lambda: (row := kpi_row(manager)) and row["in_progress_sum_month"] == "2500.50" and row)

    same = manager.patch(f"/deals/{deal['id']}", json={"amount": "2500.5", "version": 2})
    assert same.status_code == 200 and same.json()["version"] == 2  # nothing changed: no new version


def test_a_stale_or_invalid_edit_is_refused_and_changes_nothing(system):
    name = sales_pipeline(system)
    manager = system.user("manager")
    deal = open_deal(manager, name, "Двери: Лебедев", "700")
    assert manager.patch(f"/deals/{deal['id']}", json={"amount": "800", "version": 1}).status_code == 200

    stale = manager.patch(f"/deals/{deal['id']}", json={"amount": "900", "version": 1})
    assert stale.status_code == 409, stale.text
    assert stale.json()["details"] == {"version": ["changed since you read it; it is now 2"]}
    stale_header = manager.patch(f"/deals/{deal['id']}", json={"amount": "900"}, headers={"If-Match": '"1"'})
    assert stale_header.status_code == 409

    for body, field in (({"amount": "-5"}, "amount"), ({"amount": "много"}, "amount"), ({"title": ""}, "title"),
                        ({"responsible_id": 0}, "responsible_id"), ({"fields": {"service": "Крыша"}}, "fields"),
                        ({"version": "два"}, "version")):
        refused = manager.patch(f"/deals/{deal['id']}", json={**body, "title": "Нельзя"} if field != "title" else body)
        assert refused.status_code == 400, (body, refused.text)
        assert field in refused.json()["details"], refused.text
    card = manager.get(f"/deals/{deal['id']}").json()
    assert (card["amount"], card["title"], card["version"]) == ("800.00", "Двери: Лебедев", 2)
    assert manager.patch("/deals/999999999", json={"amount": "1"}).status_code == 404
    assert system.user("crew_member").patch(f"/deals/{deal['id']}", json={"amount": "1"}).status_code == 403


def test_a_new_responsible_is_told_and_the_deal_counts_in_their_kpi_row(system):
    name = sales_pipeline(system)
    anna, boris = system.user("manager"), system.user("manager")
    boris_id = boris.get("/me").json()["id"]
    deal = open_deal(anna, name, "Окна: Соколов", "1200")

    moved = anna.patch(f"/deals/{deal['id']}", json={"responsible_id": boris_id})

    assert moved.status_code == 200 and moved.json()["responsible_id"] == boris_id
    told = eventually(lambda: [n for n in boris.get("/notifications").json() if "Окна: Соколов" in n["body"]])
    assert len(told) == 1
    assert eventually(lambda: (row := kpi_row(boris)) and row["in_progress_sum_month"] == "1200.00")
    assert [d["id"] for d in anna.get("/deals", params={"pipeline": name, "mine": "true"}).json()["items"]] == []


def test_an_archived_deal_leaves_the_board_and_lists_its_card_still_opens(system):
    name = sales_pipeline(system)
    manager = system.user("manager")
    kept = open_deal(manager, name, "Окна: Морозова", "500")
    duplicate = open_deal(manager, name, "Окна: Морозова (дубль)", "500")
    eventually(lambda: (row := kpi_row(manager)) and row["in_progress_sum_month"] == "1000.00")

    archived = manager.post(f"/deals/{duplicate['id']}/archive", headers={"If-Match": '"1"'})

    assert archived.status_code == 200, archived.text
    assert archived.json()["archived_at"] and archived.json()["version"] == 2
    assert stage_sums(manager, name)["new"] == (1, "500.00")
    listed = manager.get("/deals", params={"pipeline": name}).json()["items"]
    assert [d["id"] for d in listed] == [kept["id"]]
    only_archived = manager.get("/deals", params={"pipeline": name, "archived": "true"}).json()["items"]
    assert [d["id"] for d in only_archived] == [duplicate["id"]]
    assert manager.get(f"/deals/{duplicate['id']}").json()["archived_at"] == archived.json()["archived_at"]
    assert eventually(lambda: (row := kpi_row(manager)) and row["in_progress_sum_month"] == "500.00")

    restored = manager.post(f"/deals/{duplicate['id']}/restore")
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert stage_sums(manager, name)["new"] == (2, "1000.00")


def test_a_stage_with_deals_or_rules_cannot_be_archived_an_empty_one_leaves_the_board(system):
    name = sales_pipeline(system)
    manager = system.user("manager")
    first, second = open_deal(manager, name, "Окна: Фёдоров", "100"), open_deal(manager, name, "Двери: Фёдоров", "200")
    for deal in (first, second):
        assert manager.post(f"/deals/{deal['id']}/move", json={"stage": "offer"}).status_code == 200
    mover = rule(system, name="В КП при выборе услуги", pipeline=name,
                 trigger={"type": "field_changed", "field": "service"},
                 actions=[{"type": "move", "stage": "offer"}])

    refused = system.admin.post(f"/pipelines/{name}/stages/offer/archive")
    assert refused.status_code == 409, refused.text
    assert refused.json()["details"] == {"deals": [first["id"], second["id"]], "rules": [mover["id"]]}
    assert manager.post(f"/pipelines/{name}/stages/lost/archive").status_code == 403

    archived = system.admin.post(f"/pipelines/{name}/stages/lost/archive")
    assert archived.status_code == 200, archived.text
    assert [s["code"] for s in archived.json()["stages"]] == ["new", "offer", "won"]
    assert [s["code"] for s in archived.json()["archived_stages"]] == ["lost"]
    assert list(stage_sums(manager, name)) == ["new", "offer", "won"]
    refused_move = manager.post(f"/deals/{first['id']}/move", json={"stage": "lost"})
    assert refused_move.status_code == 409 and "stage" in refused_move.json()["details"]
    assert system.admin.post(f"/pipelines/{name}/stages/lost/restore").status_code == 200
    assert manager.post(f"/deals/{first['id']}/move", json={"stage": "lost"}).status_code == 200


def test_a_task_redated_is_no_longer_overdue_and_an_archived_one_no_longer_counts(system):
    name = sales_pipeline(system)
    manager = system.user("manager")
    deal = open_deal(manager, name, "Окна: Павлов", "300")
    late = manager.post(f"/deals/{deal['id']}/tasks", json={
        "title": "Перезвонить", "due_at": (datetime.now(UTC) - timedelta(hours=3)).isoformat()}).json()
    assert manager.get("/deals/board", params={"pipeline": name}).json()["stages"][0]["deals"][0]["has_overdue_tasks"]
    eventually(lambda: (row := kpi_row(manager)) and row["overdue_deals"] == "1")

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    redated = manager.patch(f"/tasks/{late['id']}", json={"due_at": tomorrow.isoformat(), "title": "Перезвонить завтра",
                                                          "version": 1})

    assert redated.status_code == 200, redated.text
    assert (redated.json()["title"], redated.json()["version"]) == ("Перезвонить завтра", 2)
    assert datetime.fromisoformat(redated.json()["due_at"]) == tomorrow
    card = manager.get("/deals/board", params={"pipeline": name}).json()["stages"][0]["deals"][0]
    assert card["has_overdue_tasks"] is False
    assert eventually(lambda: (row := kpi_row(manager)) and row["overdue_deals"] == "0" and row)
    assert manager.patch(f"/tasks/{late['id']}", json={"title": "x", "version": 1}).status_code == 409
    assert manager.patch(f"/tasks/{late['id']}", json={"due_at": "завтра"}).status_code == 400

    assert manager.post(f"/tasks/{late['id']}/archive").json()["archived_at"]
    assert eventually(lambda: (row := kpi_row(manager)) and row["no_planned_activity"] == "1")
    shown = manager.get(f"/deals/{deal['id']}").json()["tasks"]
    assert [(t["id"], bool(t["archived_at"])) for t in shown] == [(late["id"], True)]
