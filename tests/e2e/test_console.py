"""What the staff console needs, through the gateway: the inbox of calls and messages, incoming ones
live on the stream, notices of what was handed over, and crews asking to move a job."""
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import requests

from tests.e2e.test_leads import call_sid, mobile_digits
from tests.e2e.test_scheduling import at, job, new_crew
from tests.support.live import listening
from tests.support.system import eventually
from tests.support.webhooks import post_twilio


def incoming_call(system, digits: str, **extra) -> requests.Response:
    response = post_twilio(system, "/webhooks/twilio/voice", {
        "CallSid": call_sid(), "From": f"+{digits}", "To": "+74950000000", "CallStatus": "completed",
        "Direction": "inbound", "CallDuration": "40", **extra})
    assert response.status_code == 200, response.text
    return response


def my_id(client) -> int:
    return client.get("/me").json()["id"]


def notifications(client) -> list[dict]:
    return client.get("/notifications").json()


def new_deal(system, responsible_id: int, title: str) -> dict:
    code = f"console-{uuid.uuid4().hex[:6]}"
    assert system.admin.post("/pipelines", json={"code": code, "name": "Консоль", "stages": [
        {"code": "new", "name": "Новая"}, {"code": "won", "name": "Выиграна", "kind": "won"}]}).status_code == 201
    response = system.admin.post("/deals", json={"pipeline": code, "title": title, "responsible_id": responsible_id})
    assert response.status_code == 201, response.text
    return response.json()


# -- the inbox --------------------------------------------------------------------------------

def test_the_inbox_lists_calls_newest_first_with_their_contact_and_counts_per_category(system):
    since = datetime.now(UTC).isoformat()
    digits, blocked = mobile_digits(), mobile_digits()
    system.admin.post("/intake/blocked-numbers", json={"phone": f"+{blocked}"})
    incoming_call(system, digits)
    incoming_call(system, digits)
    incoming_call(system, blocked)
    operator = system.user("operator")

    page = operator.get("/communications", params={"channel": "call", "direction": "in", "since": since})
    assert page.status_code == 200, page.text
    spam, newest, first = [item for item in page.json()["items"]
                           if item["contact"]["phone"] in (f"+{digits}", f"+{blocked}")]
    assert (first["category"], newest["category"], spam["category"]) == ("new_request", "open_order", "spam")
    assert newest["contact"]["phone"] == f"+{digits}" and newest["contact"]["name"] == f"+{digits}"
    assert first["lead_id"] is not None and newest["lead_id"] == first["lead_id"] and newest["deal_id"] is None
    counts = page.json()["counts"]
    assert counts["all"] == page.json()["total"] >= 3
    assert counts["new_request"] >= 1 and counts["open_order"] >= 1 and counts["spam"] >= 1

    spam_tab = operator.get("/communications", params={"category": "spam", "since": since, "limit": 500}).json()
    assert {item["category"] for item in spam_tab["items"]} == {"spam"}
    assert spam["id"] in [item["id"] for item in spam_tab["items"]]
    assert spam_tab["total"] == spam_tab["counts"]["spam"] and spam_tab["counts"]["all"] >= counts["all"]

    bad = operator.get("/communications", params={"category": "важное", "since": "вчера", "limit": 0})
    assert bad.status_code == 400 and {"since", "limit"} <= set(bad.json()["details"])
    assert operator.get("/communications", params={"category": "важное"}).json()["details"].keys() == {"category"}
    assert system.user("crew_member").get("/communications").status_code == 403


# -- live -------------------------------------------------------------------------------------

def test_an_incoming_call_reaches_an_operators_open_stream(system):
    operator, digits = system.user("operator"), mobile_digits()
    listener, found = listening(system, operator, lambda event, data: event == "communication"
                                and data.get("from_address") == f"+{digits}")
    time.sleep(0.3)  # the gateway subscribes before it answers with the headers; this is only slack
    incoming_call(system, digits)
    listener.join(20)
    assert found, "no communication event arrived"
    data = found[0]
    assert (data["channel"], data["direction"], data["category"]) == ("call", "in", "new_request")
    assert data["contact_name"] == f"+{digits}" and data["lead_id"] and data["duration_seconds"] == 40


# -- hand-overs -------------------------------------------------------------------------------

def test_the_new_owner_is_told_of_clients_and_deals_handed_to_them_unless_they_took_them(system):
    head = system.user("head_of_sales")
    leaving, taking = system.user("manager"), system.user("manager")
    leaving_id, taking_id, head_id = my_id(leaving), my_id(taking), my_id(head)
    leaving.post("/leads", json={"name": "Клиент в отпуске", "phone": f"+{mobile_digits()}",
                                 "responsible_id": leaving_id})
    deal = new_deal(system, leaving_id, "Окна: Мария Сидорова")

    moved = head.post("/ownership/reassign", json={"from_user_id": leaving_id, "to_user_id": taking_id,
                                                   "reason": "отпуск"})
    assert moved.status_code == 200, moved.text
    bodies = eventually(lambda: len(found := [n["body"] for n in notifications(taking)]) >= 2 and found)
    assert "Вам переданы клиенты коллеги (отпуск): компаний — 0, контактов — 1, лидов — 1." in bodies
    assert f"Вы теперь ответственный по сделке №{deal['id']} «Окна: Мария Сидорова»." in bodies

    own_deal = new_deal(system, taking_id, "Двери: Пётр Васильев")
    taken = head.post("/ownership/reassign", json={"from_user_id": taking_id, "to_user_id": head_id,
                                                   "reason": "беру сам"})
    assert taken.status_code == 200 and taken.json()["lead_ids"]
    eventually(lambda: system.admin.get(f"/deals/{own_deal['id']}").json()["responsible_id"] == head_id)
    back = head.post("/ownership/reassign", json={"from_user_id": head_id, "to_user_id": leaving_id, "reason": "x"})
    assert back.status_code == 200  # the head had nothing else; what they took goes to `leaving`, who is told
    eventually(lambda: any("Двери" in n["body"] for n in notifications(leaving)))
    assert notifications(head) == []


# -- crews ------------------------------------------------------------------------------------

def test_a_crew_member_asks_to_move_a_job_and_the_deals_responsible_learns_it(system):
    member, manager, operator = system.user("crew_member"), system.user("manager"), system.user("operator")
    person = system.admin.post("/staff", json={"full_name": "Игорь Лебедев", "phone": "+79005550606",
                                               "user_id": my_id(member)}).json()
    crew, other = new_crew(system, leader_staff_id=person["id"]), new_crew(system)
    deal = new_deal(system, my_id(manager), "Замер: Ольга Новикова")
    day = date.today() + timedelta(days=9)
    booked = operator.post("/bookings", json=job(crew, day, "10:00", "12:00", deal_id=deal["id"])).json()
    next_day = operator.post("/bookings", json=job(crew, day + timedelta(days=1), "10:00", "11:00")).json()
    stranger = operator.post("/bookings", json=job(other, day, "10:00", "11:00", deal_id=deal["id"])).json()

    assert [b["id"] for b in member.get("/bookings", params={"deal_id": deal["id"]}).json()] == [booked["id"]]
    assert [b["id"] for b in operator.get("/bookings", params={"deal_id": deal["id"]}).json()] == [
        booked["id"], stranger["id"]]
    days = {"date_from": (day + timedelta(days=1)).isoformat(), "date_to": (day + timedelta(days=1)).isoformat()}
    assert [b["id"] for b in member.get("/bookings", params=days).json()] == [next_day["id"]]
    assert member.get("/bookings", params={"date_from": "2026-13-01", "date_to": "x"}).status_code == 400
    backwards = member.get("/bookings", params={"date_from": day.isoformat(), "date_to": "2020-01-01"})
    assert backwards.status_code == 400 and "date_to" in backwards.json()["details"]

    path = f"/bookings/{booked['id']}/reschedule-request"
    for bad in ({}, {"reason": "   "}, {"reason": "x" * 501}, {"reason": "ок", "preferred_date": "2020-01-01"}):
        refused = member.post(path, json=bad)
        assert refused.status_code == 400, (bad, refused.text)
        assert set(refused.json()["details"]) <= {"reason", "preferred_date"} and refused.json()["details"]
    assert member.get("/bookings", params={"deal_id": deal["id"]}).json()[0]["reschedule_request"] is None
    assert member.post(f"/bookings/{stranger['id']}/reschedule-request", json={"reason": "x"}).status_code == 404
    assert operator.post(path, json={"reason": "x"}).status_code == 403

    preferred = (day + timedelta(days=2)).isoformat()
    asked = member.post(path, json={"reason": "Не успеваем с предыдущего объекта", "preferred_date": preferred})
    assert asked.status_code == 200, asked.text
    request = asked.json()["reschedule_request"]
    assert (request["reason"], request["preferred_date"], request["requested_by_user_id"]) == (
        "Не успеваем с предыдущего объекта", preferred, my_id(member))
    calendar = member.get(f"/crews/{crew['id']}/calendar", params={"date": day.isoformat()}).json()
    assert calendar["days"][0]["items"][0]["reschedule_request"]["reason"] == "Не успеваем с предыдущего объекта"

    card = eventually(lambda: (c := system.admin.get(f"/deals/{deal['id']}").json())["tasks"] and c)
    (task,) = card["tasks"]
    assert (task["title"], task["assignee_id"]) == ("Бригада просит перенести: Не успеваем с предыдущего объекта",
                                                    my_id(manager))
    assert "booking_reschedule_requested" in [h["kind"] for h in card["history"]]
    told = eventually(lambda: [n["body"] for n in notifications(manager) if "перенести" in n["body"]])
    assert told == [f"Бригада «{crew['name']}» просит перенести выезд по сделке «Замер: Ольга Новикова»: "
                    f"Не успеваем с предыдущего объекта (удобная дата: {day + timedelta(days=2):%d.%m.%Y})"]

    moved = operator.post(f"/bookings/{booked['id']}/reschedule", json={
        "starts_at": at(day + timedelta(days=2), "10:00").isoformat(),
        "ends_at": at(day + timedelta(days=2), "12:00").isoformat(), "by": "crew", "reason": "по просьбе бригады"})
    assert moved.status_code == 200 and moved.json()["reschedule_request"] is None
