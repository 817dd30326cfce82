"""Deals' automation runs because a change happened: a move with fields is one chain in which each
matching rule fires once, and every way a deal changes (the API, the timers, an event from another
service) runs the rules."""
import random
from datetime import UTC, datetime, timedelta

from crm_chassis.events import make_envelope
from crm_scheduling.events import EXAMPLES as SCHEDULING_EXAMPLES
from tests.e2e.test_deals import pipeline, rule
from tests.support.system import eventually, publish_event


def fired(card: dict, rule_id: int, kind: str) -> list[dict]:
    return [h for h in card["history"] if h["rule_id"] == rule_id and h["kind"] == kind]


def test_a_move_with_fields_fires_each_matching_rule_exactly_once(system):
    windows = pipeline(system, "windows", [("new", "Новая", "open", []), ("vip", "VIP-клиент", "open", ["discount"])],
                       [{"code": "discount", "name": "Скидка, %", "type": "number"}])
    approve_discount = rule(system, pipeline=windows, trigger={"type": "field_changed", "field": "discount"},
                            actions=[{"type": "create_task", "title": "Согласовать скидку", "due_in_hours": 4}])
    vip_terms = rule(system, pipeline=windows, trigger={"type": "entered_stage", "stage": "vip"},
                     actions=[{"type": "set_field", "field": "discount", "value": 10},
                              {"type": "create_task", "title": "Подготовить VIP-договор", "due_in_hours": 24}])
    deal = system.admin.post("/deals", json={"pipeline": windows, "title": "Окна: Смирнов"}).json()

    moved = system.admin.post(f"/deals/{deal['id']}/move", json={"stage": "vip", "fields": {"discount": 15}})
    assert moved.status_code == 200, moved.text
    card = moved.json()
    assert (card["stage"], card["fields"]) == ("vip", {"discount": 10})
    # The manager's discount and the VIP rule's both changed the field, in one chain: the discount
    # rule fired for the first, and the loop guard held it back from firing again for the second.
    assert sorted(t["title"] for t in card["tasks"]) == ["Подготовить VIP-договор", "Согласовать скидку"]
    assert len(fired(card, approve_discount["id"], "task_created")) == 1
    assert len(fired(card, vip_terms["id"], "fields_changed")) == 1
    assert len(fired(card, vip_terms["id"], "task_created")) == 1
    [held] = fired(card, approve_discount["id"], "automation_stopped")
    assert held["details"] == {"reason": "loop guard", "trigger": "field_changed"}
    assert [h["kind"] for h in card["history"] if h["rule_id"] is None] == ["created", "fields_changed",
                                                                           "stage_changed"]


def test_every_way_a_deal_changes_runs_the_rules(system):
    titles = {"deal_created": "создана", "field_changed": "поле изменено", "entered_stage": "на этапе",
              "task_overdue": "задача просрочена", "task_completed": "задача выполнена",
              "approval_approved": "согласовано", "booking_completed": "выезд выполнен",
              "time_in_stage_exceeded": "долго на этапе"}
    paths = pipeline(system, "paths", [("new", "Новая", "open", []), ("working", "В работе", "open", [])],
                     [{"code": "note", "name": "Заметка", "type": "text"}])
    watched = {"field_changed": {"field": "note"}, "entered_stage": {"stage": "working"},
               "time_in_stage_exceeded": {"stage": "working", "hours": 0}}
    for kind, title in titles.items():
        rule(system, pipeline=paths, trigger={"type": kind, **watched.get(kind, {})},
             actions=[{"type": "create_task", "title": title, "due_in_hours": 48}])
    manager = system.user("manager")
    deal = manager.post("/deals", json={"pipeline": paths, "title": "Все пути"}).json()["id"]  # the API

    def tasks_of() -> list[str]:
        return [t["title"] for t in manager.get(f"/deals/{deal}").json()["tasks"]]

    def fired_once(kind: str) -> None:
        """The rule on `kind` made its task, once (events and timers take a moment)."""
        made = eventually(lambda: [title for title in tasks_of() if title == titles[kind]], timeout=30)
        assert made == [titles[kind]], f"{kind}: {tasks_of()}"

    fired_once("deal_created")
    manager.patch(f"/deals/{deal}", json={"fields": {"note": "перезвонить"}})
    fired_once("field_changed")
    manager.post(f"/deals/{deal}/move", json={"stage": "working"})
    fired_once("entered_stage")
    me = manager.get("/me").json()["id"]
    approval = manager.post(f"/deals/{deal}/approvals", json={"title": "Скидка", "approver_id": me}).json()
    assert manager.post(f"/approvals/{approval['id']}/approve", json={}).status_code == 200
    fired_once("approval_approved")

    late = manager.post(f"/deals/{deal}/tasks", json={
        "title": "Позвонить", "due_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}).json()
    fired_once("task_overdue")  # the overdue timer
    assert manager.post(f"/tasks/{late['id']}/complete", json={}).status_code == 200
    fired_once("task_completed")

    data = {**SCHEDULING_EXAMPLES["booking.completed.v1"], "booking_id": random.randint(10**6, 10**9),
            "deal_id": deal, "result": "success", "failure_reason": None}
    publish_event(system, make_envelope("booking.completed.v1", data, "scheduling", None))  # another service
    fired_once("booking_completed")

    assert system.admin.post("/automation/timed-rules/run", json={}).status_code == 200  # the clock's check
    fired_once("time_in_stage_exceeded")
    assert sorted(tasks_of()) == sorted([*titles.values(), "Позвонить"])
