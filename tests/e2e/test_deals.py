"""Deals through the gateway: pipelines as data, stage gates, automation rules by configuration
alone (scenarios S1 and S3), dry runs, loops that end, tasks, and deals following their owner."""
import random
import uuid
from datetime import UTC, datetime, timedelta

from tests.support.system import eventually


def code(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def pipeline(system, prefix: str, stages: list, fields: list = (), client_type=None) -> str:
    name = code(prefix)
    response = system.admin.post("/pipelines", json={
        "code": name, "name": f"Воронка {name}", "client_type": client_type, "fields": list(fields),
        "stages": [{"code": c, "name": n, "kind": k, "required_fields": r} for c, n, k, r in stages]})
    assert response.status_code == 201, response.text
    return name


def rule(system, **definition) -> dict:
    response = system.admin.post("/automation/rules", json={"name": code("rule"), **definition})
    assert response.status_code == 201, response.text
    return response.json()


def connection_setup(system) -> tuple[str, str]:
    """S1: the sales deal at "contract signed" opens a connection deal; its result moves the sale."""
    address = {"code": "address", "name": "Адрес", "type": "text"}
    connection = pipeline(system, "connection", [("scheduled", "Выезд назначен", "open", []),
                                                 ("done", "Подключено", "won", []),
                                                 ("failed", "Не удалось", "lost", [])], [address])
    sales = pipeline(system, "sales", [("new", "Новая", "open", []),
                                       ("contract", "Договор подписан", "open", ["address"]),
                                       ("connected", "Подключен", "won", []),
                                       ("connection_failed", "Подключение не удалось", "lost", [])], [address])
    rule(system, pipeline=sales, trigger={"type": "entered_stage", "stage": "contract"}, actions=[
        {"type": "create_linked_deal", "pipeline": connection, "title": "Подключение: {title}",
         "copy_fields": {"address": "address"}}])
    rule(system, pipeline=sales, trigger={"type": "linked_deal_closed", "child_pipeline": connection}, actions=[
        {"type": "move_by_child_result", "stages": {"won": "connected", "lost": "connection_failed"}},
        {"type": "notify", "recipients": ["responsible"], "text": "Подключение по сделке «{title}»: {child_result}"}])
    return sales, connection


def test_s1_contract_opens_a_connection_deal_whose_result_moves_the_sale(system):
    sales, connection = connection_setup(system)
    manager = system.user("manager")
    deal = manager.post("/deals", json={"pipeline": sales, "title": "Интернет: Петров", "amount": "1500"}).json()

    refused = manager.post(f"/deals/{deal['id']}/move", json={"stage": "contract"})
    assert refused.status_code == 422 and refused.json()["details"]["missing_fields"] == ["address"]
    moved = manager.post(f"/deals/{deal['id']}/move", json={"stage": "contract",
                                                           "fields": {"address": "ул. Лесная, д. 5"}})
    assert moved.status_code == 200, moved.text
    card = moved.json()
    [child] = card["linked_deals"]
    assert (child["pipeline"], child["stage"], child["title"]) == (connection, "scheduled", "Подключение: Интернет: Петров")
    assert child["fields"] == {"address": "ул. Лесная, д. 5"} and child["responsible_id"] == deal["responsible_id"]
    automatic = [h for h in card["history"] if h["kind"] == "linked_deal_created"]
    assert automatic and automatic[0]["rule_id"] and automatic[0]["rule_version"] == 1

    system.user("operator").post(f"/deals/{child['id']}/move", json={"stage": "done"})
    sale = manager.get(f"/deals/{deal['id']}").json()
    assert (sale["stage"], sale["stage_name"]) == ("connected", "Подключен")
    told = [h for h in sale["history"] if h["kind"] == "notification_requested"]
    assert told[0]["details"] == {"recipients": [deal["responsible_id"]],
                                  "text": "Подключение по сделке «Интернет: Петров»: done"}
    inbox = eventually(lambda: manager.get("/notifications").json())
    assert [item["body"] for item in inbox] == ["Подключение по сделке «Интернет: Петров»: done"]


def test_a_dry_run_says_what_would_fire_and_changes_nothing(system):
    sales, connection = connection_setup(system)
    deal = system.admin.post("/deals", json={"pipeline": sales, "title": "Проверка"}).json()
    preview = system.admin.post(f"/deals/{deal['id']}/dry-run", json={"stage": "contract",
                                                                     "fields": {"address": "Тверская, 1"}}).json()
    assert preview["would_move"] is True
    kinds = [effect["kind"] for effect in preview["effects"]]
    assert kinds[:3] == ["fields_changed", "stage_changed", "created"] and "linked_deal_created" in kinds
    refused = system.admin.post(f"/deals/{deal['id']}/dry-run", json={"stage": "contract"}).json()
    assert refused == {"would_move": False, "reason": "stage contract needs: address",
                       "details": {"missing_fields": ["address"], "missing_documents": []}, "effects": []}
    after = system.admin.get(f"/deals/{deal['id']}").json()
    assert after["stage"] == "new" and after["linked_deals"] == [] and after["fields"] == {}


def test_s3_defects_go_to_claims_and_come_back_where_they_were(system):
    claims = pipeline(system, "claims", [("new", "Новая претензия", "open", []), ("resolved", "Решена", "won", [])])
    production = pipeline(system, "production", [("in_work", "В производстве", "open", []),
                                                 ("shipped", "Отгружено", "open", []),
                                                 ("defects", "Брак", "lost", []), ("done", "Готово", "won", [])])
    rule(system, pipeline=production, trigger={"type": "entered_stage", "stage": "defects"},
         actions=[{"type": "move_to_pipeline", "pipeline": claims, "stage": "new"}])
    rule(system, pipeline=claims, trigger={"type": "entered_stage", "stage": "resolved"},
         actions=[{"type": "return_to_origin"}])
    deal = system.admin.post("/deals", json={"pipeline": production, "title": "Окна для школы"}).json()
    system.admin.post(f"/deals/{deal['id']}/move", json={"stage": "shipped"})
    in_claims = system.admin.post(f"/deals/{deal['id']}/move", json={"stage": "defects"}).json()
    assert (in_claims["pipeline"], in_claims["stage"]) == (claims, "new")
    back = system.admin.post(f"/deals/{deal['id']}/move", json={"stage": "resolved"}).json()
    assert (back["pipeline"], back["stage"]) == (production, "shipped")


def test_s2_status_follows_from_fields(system):
    membership = pipeline(system, "membership", [
        ("no_date", "Планирует прийти, дата неизвестна", "open", []),
        ("date_known", "Планирует прийти, дата известна", "open", ["visit_date"]),
        ("bought", "Абонемент куплен", "open", ["membership_end"]), ("ended", "Абонемент закончился", "lost", [])],
        [{"code": "visit_date", "name": "Дата визита", "type": "date"},
         {"code": "membership_end", "name": "Окончание абонемента", "type": "date"}])
    rule(system, pipeline=membership, trigger={"type": "field_changed", "field": "visit_date"},
         conditions=[{"field": "visit_date", "op": "not_empty"}, {"field": "membership_end", "op": "empty"}],
         actions=[{"type": "move", "stage": "date_known"}])
    rule(system, pipeline=membership, trigger={"type": "field_changed", "field": "membership_end"},
         conditions=[{"field": "membership_end", "op": "not_empty"}], actions=[{"type": "move", "stage": "bought"}])
    deal = system.admin.post("/deals", json={"pipeline": membership, "title": "Абонемент: Смирнова"}).json()
    dated = system.admin.patch(f"/deals/{deal['id']}", json={"fields": {"visit_date": "2026-12-01"}}).json()
    assert dated["stage"] == "date_known"
    bought = system.admin.patch(f"/deals/{deal['id']}", json={"fields": {"membership_end": "2027-06-01"}}).json()
    assert bought["stage"] == "bought"
    bad = system.admin.patch(f"/deals/{deal['id']}", json={"fields": {"membership_end": "когда-нибудь", "x": 1}})
    assert bad.status_code == 400 and set(bad.json()["details"]["fields"]) == {"membership_end", "x"}


def test_rules_are_validated_versioned_and_loops_end(system):
    ping = pipeline(system, "loop", [("a", "А", "open", []), ("b", "Б", "open", [])])
    invalid = system.admin.post("/automation/rules", json={
        "name": "плохое", "pipeline": ping, "trigger": {"type": "entered_stage", "stage": "zzz"},
        "actions": [{"type": "move", "stage": "nowhere"}, {"type": "explode"}]})
    assert invalid.status_code == 400
    assert set(invalid.json()["details"]) == {"trigger.stage", "actions.0.stage", "actions.1.type"}
    first = rule(system, pipeline=ping, trigger={"type": "entered_stage", "stage": "b"},
                 actions=[{"type": "move", "stage": "a"}])
    rule(system, pipeline=ping, trigger={"type": "entered_stage", "stage": "a"}, actions=[{"type": "move", "stage": "b"}])
    changed = system.admin.post(f"/automation/rules/{first['id']}", json={
        "name": "снова", "pipeline": ping, "trigger": {"type": "entered_stage", "stage": "b"},
        "actions": [{"type": "move", "stage": "a"}]}).json()
    assert changed["version"] == 2
    deal = system.admin.post("/deals", json={"pipeline": ping, "title": "Петля"}).json()
    card = system.admin.post(f"/deals/{deal['id']}/move", json={"stage": "b"}).json()
    assert any(h["kind"] == "automation_stopped" for h in card["history"])
    assert len([h for h in card["history"] if h["kind"] == "stage_changed"]) < 60
    assert any(h["rule_id"] == first["id"] and h["rule_version"] == 2 for h in card["history"])
    assert system.user("manager").post("/automation/rules", json={}).status_code == 403


def test_tasks_overdue_and_deals_without_planned_activity(system):
    work = pipeline(system, "work", [("new", "Новая", "open", [])])
    rule(system, pipeline=work, trigger={"type": "task_overdue"},
         actions=[{"type": "notify", "recipients": ["responsible"], "text": "Просрочена задача по «{title}»"}])
    manager = system.user("manager")
    idle = manager.post("/deals", json={"pipeline": work, "title": "Без задач"}).json()
    busy = manager.post("/deals", json={"pipeline": work, "title": "С задачей"}).json()
    task = manager.post(f"/deals/{busy['id']}/tasks", json={
        "title": "Перезвонить", "due_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}).json()
    assert task["assignee_id"] == busy["responsible_id"]
    idle_ids = {d["id"] for d in manager.get("/deals", params={"pipeline": work, "no_planned_activity": "true"}).json()["items"]}
    assert idle_ids == {idle["id"]}
    overdue = eventually(lambda: [h for h in manager.get(f"/deals/{busy['id']}").json()["history"]
                                  if h["kind"] == "notification_requested"], timeout=30)
    assert overdue[0]["details"]["text"] == "Просрочена задача по «С задачей»"
    done = manager.post(f"/tasks/{task['id']}/complete", json={})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert manager.post(f"/tasks/{task['id']}/complete", json={}).status_code == 409


def test_a_converted_lead_opens_its_deal_and_deals_follow_their_owner(system):
    private = pipeline(system, "private", [("new", "Новая", "open", [])], client_type=None)
    system.admin.post("/pipelines", json={"code": code("x"), "name": "x", "stages": [{"code": "a", "name": "a"}]})
    existing = {p["client_type"]: p["code"] for p in system.admin.get("/pipelines").json() if p["client_type"]}
    if "private" not in existing:
        existing["private"] = pipeline(system, "private-sales", [("new", "Новая", "open", [])], client_type="private")
    manager, substitute = system.user("manager"), system.user("manager")
    manager_id, substitute_id = manager.get("/me").json()["id"], substitute.get("/me").json()["id"]
    lead = manager.post("/leads", json={"name": "Клиент на сделку", "phone": f"+79{random.randint(10**8, 10**9 - 1)}",
                                        "responsible_id": manager_id}).json()
    manager.post(f"/leads/{lead['id']}/convert", json={"fields": {"client_type": "private", "request_type": "тариф"}})
    deals = eventually(lambda: manager.get("/deals", params={"pipeline": existing["private"], "contact_id":
                                                             lead["contact"]["id"]}).json()["items"])
    assert deals[0]["lead_id"] == lead["id"] and deals[0]["responsible_id"] == manager_id
    assert private  # a pipeline without a client type takes no converted leads

    head = system.user("head_of_sales")
    moved = head.post("/ownership/reassign", json={"from_user_id": manager_id, "to_user_id": substitute_id,
                                                  "reason": "больничный"}).json()
    eventually(lambda: manager.get(f"/deals/{deals[0]['id']}").json()["responsible_id"] == substitute_id)
    head.post("/ownership/return", json={"batch_id": moved["batch_id"]})
    eventually(lambda: manager.get(f"/deals/{deals[0]['id']}").json()["responsible_id"] == manager_id)


def test_time_in_stage_and_date_fields_fire_once(system):
    from datetime import date

    tracked = pipeline(system, "timed", [("waiting", "Ждёт", "open", []), ("stuck", "Застряла", "open", []),
                                         ("ended", "Абонемент закончился", "lost", [])],
                       [{"code": "membership_end", "name": "Окончание абонемента", "type": "date"}])
    rule(system, pipeline=tracked, trigger={"type": "time_in_stage_exceeded", "stage": "waiting", "hours": 0},
         actions=[{"type": "move", "stage": "stuck"}])
    rule(system, pipeline=tracked, trigger={"type": "date_field_reached", "field": "membership_end", "days_before": 3},
         actions=[{"type": "create_task", "title": "Напомнить о продлении", "due_in_hours": 24}])
    waiting = system.admin.post("/deals", json={"pipeline": tracked, "title": "Ждёт"}).json()
    ending = system.admin.post("/deals", json={"pipeline": tracked, "title": "Скоро конец", "fields": {
        "membership_end": (date.today() + timedelta(days=2)).isoformat()}}).json()
    later = system.admin.post("/deals", json={"pipeline": tracked, "title": "Не скоро", "fields": {
        "membership_end": (date.today() + timedelta(days=30)).isoformat()}}).json()
    system.admin.post(f"/deals/{ending['id']}/move", json={"stage": "stuck"})

    assert system.admin.post("/automation/timed-rules/run", json={}).status_code == 200
    system.admin.post("/automation/timed-rules/run", json={})  # the clock ticks again: nothing twice
    assert system.admin.get(f"/deals/{waiting['id']}").json()["stage"] == "stuck"
    assert [t["title"] for t in system.admin.get(f"/deals/{ending['id']}").json()["tasks"]] == ["Напомнить о продлении"]
    assert system.admin.get(f"/deals/{later['id']}").json()["tasks"] == []


def test_approvals_continue_or_turn_back_the_chain(system):
    flow = pipeline(system, "approve", [("draft", "Черновик", "open", []), ("review", "Согласование", "open", []),
                                        ("approved", "Согласовано", "open", [])])
    rule(system, pipeline=flow, trigger={"type": "entered_stage", "stage": "review"},
         actions=[{"type": "request_approval", "title": "Согласовать скидку", "approver": "responsible"}])
    rule(system, pipeline=flow, trigger={"type": "approval_approved"}, actions=[{"type": "move", "stage": "approved"}])
    rule(system, pipeline=flow, trigger={"type": "approval_rejected"}, actions=[{"type": "move", "stage": "draft"}])
    manager, other = system.user("manager"), system.user("manager")
    for verdict, expected in (("reject", "draft"), ("approve", "approved")):
        deal = manager.post("/deals", json={"pipeline": flow, "title": f"Скидка ({verdict})"}).json()
        card = manager.post(f"/deals/{deal['id']}/move", json={"stage": "review"}).json()
        [approval] = card["approvals"]
        assert approval["approver_id"] == deal["responsible_id"] and approval["status"] == "pending"
        eventually(lambda: f"Нужно ваше согласование по сделке №{deal['id']}: «Согласовать скидку»." in [
            item["body"] for item in manager.get("/notifications").json()])
        assert other.post(f"/approvals/{approval['id']}/{verdict}", json={}).status_code == 403
        decided = manager.post(f"/approvals/{approval['id']}/{verdict}", json={"comment": "ок"})
        assert decided.status_code == 200, decided.text
        assert manager.get(f"/deals/{deal['id']}").json()["stage"] == expected
        assert manager.post(f"/approvals/{approval['id']}/{verdict}", json={}).status_code == 409


def test_a_controllers_question_and_mentions_reach_the_people_concerned(system):
    work = pipeline(system, "questions", [("new", "Новая", "open", [])])
    owner = system.user("manager")
    owner_me = owner.get("/me").json()
    deal = owner.post("/deals", json={"pipeline": work, "title": "Сделка под контролем"}).json()
    controller = system.user("controller")
    asked = controller.post(f"/deals/{deal['id']}/comments", json={"text": "Почему нет задачи?"})
    assert asked.status_code == 201 and asked.json()["is_question"] is True
    noted = owner.post(f"/deals/{deal['id']}/comments", json={"text": f"@{owner_me['login']} напомнить себе"}).json()
    assert noted["mentioned_user_ids"] == [owner_me["id"]] and noted["is_question"] is False
    card = owner.get(f"/deals/{deal['id']}").json()
    assert [c["text"] for c in card["comments"]] == ["Почему нет задачи?", f"@{owner_me['login']} напомнить себе"]
    assert any(h["kind"] == "question_asked" for h in card["history"])


def test_a_crews_result_reaches_the_deal(system):
    connection = pipeline(system, "crew", [("scheduled", "Выезд назначен", "open", []),
                                           ("done", "Подключено", "won", []), ("failed", "Не удалось", "lost", [])])
    rule(system, pipeline=connection, trigger={"type": "booking_completed"}, actions=[{"type": "move", "stage": "done"}])
    rule(system, pipeline=connection, trigger={"type": "booking_failed"}, actions=[{"type": "move", "stage": "failed"}])
    crew = system.admin.post("/crews", json={"name": code("Бригада"), "skill": "подключение",
                                             "leader_name": "Сергей", "leader_phone": "+79005550101"}).json()
    start = datetime.combine(datetime.now(UTC).date() + timedelta(days=5), datetime.min.time(), tzinfo=UTC) \
        + timedelta(hours=8)
    for outcome, expected in (({"result": "success"}, "done"),
                              ({"result": "failure", "failure_reason": "Дом не подключён"}, "failed")):
        deal = system.admin.post("/deals", json={"pipeline": connection, "title": "Подключение"}).json()
        booking = system.admin.post("/bookings", json={
            "crew_id": crew["id"], "deal_id": deal["id"], "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(), "address": "ул. Мира, 1"})
        assert booking.status_code == 201, booking.text
        start += timedelta(hours=2)
        done = system.admin.post(f"/bookings/{booking.json()['id']}/complete", json=outcome)
        assert done.status_code == 200, done.text
        eventually(lambda: system.admin.get(f"/deals/{deal['id']}").json()["stage"] == expected)


def test_a_whole_configuration_loads_from_yaml_and_again_changes_nothing(system, tmp_path):
    import os
    import subprocess

    import yaml

    from tests.support.system import ROOT, runner

    suffix = uuid.uuid4().hex[:6]
    config = {"pipelines": [{"code": f"cfg-{suffix}", "name": "Из файла", "fields": [
        {"code": "address", "name": "Адрес", "type": "text"}], "stages": [
        {"code": "new", "name": "Новая"}, {"code": "signed", "name": "Подписан", "required_fields": ["address"]}]}],
        "rules": [{"name": f"Правило {suffix}", "pipeline": f"cfg-{suffix}",
                   "trigger": {"type": "entered_stage", "stage": "signed"},
                   "actions": [{"type": "create_task", "title": "Позвонить клиенту", "due_in_hours": 2}]}]}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

    def load():
        done = subprocess.run([str(ROOT / ".venv" / "bin" / "crm-deals-config"), str(path)], capture_output=True,
                              text=True, timeout=120, env={**os.environ, **runner("env")})
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = load()
    assert f"cfg-{suffix}" in first and f"Правило {suffix}" in first
    again = system.admin.post("/configuration", json=config).json()
    assert again == {"pipelines_created": [], "fields_added": [], "gates_set": [], "rules_created": [],
                     "rules_changed": []}
    config["rules"][0]["actions"][0]["title"] = "Позвонить клиенту сегодня"
    assert system.admin.post("/configuration", json=config).json()["rules_changed"] == [f"Правило {suffix}"]
    deal = system.admin.post("/deals", json={"pipeline": f"cfg-{suffix}", "title": "Из конфигурации",
                                             "fields": {"address": "ул. Мира, 1"}}).json()
    card = system.admin.post(f"/deals/{deal['id']}/move", json={"stage": "signed"}).json()
    assert [t["title"] for t in card["tasks"]] == ["Позвонить клиенту сегодня"]


def test_a_rule_books_the_first_free_crew_or_tells_the_manager_why_not(system):
    skill = f"монтаж-{uuid.uuid4().hex[:6]}"
    work = pipeline(system, "install", [("new", "Новая", "open", [])], [{"code": "address", "name": "Адрес", "type": "text"}])
    rule(system, pipeline=work, trigger={"type": "deal_created"},
         actions=[{"type": "request_booking", "skill": skill, "duration_minutes": 60, "within_days": 14}])
    manager = system.user("manager")
    alone = manager.post("/deals", json={"pipeline": work, "title": "Без бригады", "fields": {"address": "ул. Мира, 2"}}).json()
    refused = eventually(lambda: [h for h in manager.get(f"/deals/{alone['id']}").json()["history"]
                                  if h["kind"] == "booking_request_failed"])
    assert "нет свободного времени" in refused[0]["details"]["reason"]
    eventually(lambda: any("записать не удалось" in n["body"] for n in manager.get("/notifications").json()))

    crew = system.admin.post("/crews", json={"name": f"Бригада {skill}", "skill": skill, "leader_name": "Пётр",
                                             "leader_phone": "+79005550111"}).json()
    deal = manager.post("/deals", json={"pipeline": work, "title": "Монтаж", "fields": {"address": "ул. Мира, 3"}}).json()
    booked = eventually(lambda: [h for h in manager.get(f"/deals/{deal['id']}").json()["history"]
                                 if h["kind"] == "booking_created"])
    assert booked[0]["details"]["crew"] == crew["name"]
    [job] = [b for b in system.admin.get("/bookings", params={"crew_id": crew["id"]}).json() if b["deal_id"] == deal["id"]]
    assert job["address"] == "ул. Мира, 3"
    calendar = system.user("operator").get(f"/crews/{crew['id']}/calendar", params={"date": job["starts_at"][:10]}).json()
    [shown] = [item for day in calendar["days"] for item in day["items"] if item["deal_id"] == deal["id"]]
    assert shown["deal_stage"] == {"pipeline": work, "stage": "new", "stage_name": "Новая", "stage_kind": "open"}
