"""Leads through the gateway: every channel into one client and one history, the pipeline's
gates, conversion, merging, ownership and its hand-over."""
import random
import time
import uuid

from tests.support.system import eventually
from tests.support.webhooks import post_hmac, post_telegram, post_twilio


def mobile_digits() -> str:
    return f"79{random.randint(100000000, 999999999)}"


def call_sid() -> str:
    return "CA" + uuid.uuid4().hex


def card(system, contact_id: int, **params) -> dict:
    response = system.admin.get(f"/clients/{contact_id}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_one_person_on_every_channel_is_one_client_with_one_history(system):
    digits = mobile_digits()
    lead = system.post_form("site-main", {"name": "Ирина Котова", "phone": f"8 {digits[1:4]} {digits[4:]}",
                                          "message": "Хочу окна", "submission_id": uuid.uuid4().hex}).json()
    contact_id = lead["contact"]["id"]
    system.post_form("site-okna", {"name": "Ирина", "phone": "+" + digits, "email": f"irina{digits}@mail.ru"})
    whatsapp = post_twilio(system, "/webhooks/twilio/messages", {
        "MessageSid": "SM" + uuid.uuid4().hex, "From": f"whatsapp:+{digits}", "To": "whatsapp:+74950000000",
        "Body": "Когда приедет замерщик?", "ProfileName": "Ирина"})
    telegram = post_telegram(system, {"update_id": random.randint(1, 10**9), "message": {
        "message_id": 7, "date": int(time.time()) + 2, "chat": {"id": int(digits[-7:])}, "text": "Мой номер",
        "from": {"id": int(digits[-9:]), "first_name": "Ирина"}, "contact": {"phone_number": digits}}})
    sid = call_sid()
    call = post_twilio(system, "/webhooks/twilio/voice", {
        "CallSid": sid, "From": f"+{digits}", "To": "+74950000000", "CallStatus": "completed",
        "Direction": "inbound", "CallDuration": "95", "RecordingUrl": "https://api.twilio.com/rec/RE1"})
    email = post_hmac(system, "/webhooks/email", {
        "message_id": f"<{uuid.uuid4().hex}@mail.ru>", "from": f"IRINA{digits}@mail.ru", "to": "okna@firm.ru",
        "subject": "Счёт", "text": "Пришлите счёт"}, "email_secret")

    assert (whatsapp.status_code, telegram.status_code, call.status_code, email.status_code) == (200, 200, 200, 201)
    assert "<Response>" in call.text
    client = card(system, contact_id)
    channels = [item["channel"] for item in client["history"]["items"]]
    assert sorted(channels) == sorted(["web_form", "web_form", "whatsapp", "telegram", "call", "email"])
    assert channels[-1] == "web_form"  # newest first: the first form is the oldest
    assert {i["kind"] for i in client["identities"]} == {"phone", "email", "telegram"}
    recorded_call = next(item for item in client["history"]["items"] if item["channel"] == "call")
    assert recorded_call["status"] == "completed" and recorded_call["duration_seconds"] == 95
    assert recorded_call["category"] == "open_order"  # she has an open lead already
    page = card(system, contact_id, limit=2, offset=2)
    assert page["history"]["total"] == 6 and len(page["history"]["items"]) == 2


def test_a_call_from_an_unknown_number_becomes_a_lead_with_its_recording(system):
    digits, sid = mobile_digits(), call_sid()
    events = [{"CallStatus": "ringing"}, {"CallStatus": "completed", "CallDuration": "42",
                                          "RecordingUrl": "https://api.twilio.com/rec/RE42"}]
    for event in events + events[1:]:  # the final event arrives twice: one call, one lead
        response = post_twilio(system, "/webhooks/twilio/voice", {
            "CallSid": sid, "From": f"+{digits}", "To": "+74950000000", "Direction": "inbound", **event})
        assert response.status_code == 200, response.text
    leads = system.admin.get("/leads", params={"q": digits[1:], "channel": "call"}).json()
    assert leads["total"] == 1
    lead = leads["items"][0]
    assert lead["title"] == f"Звонок: +{digits}" and lead["stage"] == "new"
    history = card(system, lead["contact"]["id"])["history"]["items"]
    assert len(history) == 1
    assert (history[0]["lead_id"], history[0]["recording_url"], history[0]["category"]) == (
        lead["id"], "https://api.twilio.com/rec/RE42", "new_request")


def test_pbx_events_are_signed_and_one_call_stays_one_call(system):
    digits, call_id = mobile_digits(), uuid.uuid4().hex
    event = {"call_id": call_id, "direction": "in", "from": f"8{digits[1:]}", "to": "101", "status": "NO ANSWER",
             "started_at": "2026-11-23T09:00:00+03:00"}
    first = post_hmac(system, "/webhooks/pbx", event, "pbx_secret")
    again = post_hmac(system, "/webhooks/pbx", event, "pbx_secret")
    forged = post_hmac(system, "/webhooks/pbx", {**event, "call_id": "x"}, "pbx_secret", secret="guess")
    assert (first.status_code, again.status_code, forged.status_code) == (201, 200, 403)
    assert first.json()["status"] == "missed" and again.json()["id"] == first.json()["id"]
    assert system.admin.get("/leads", params={"q": digits[1:]}).json()["total"] == 1


def test_badly_signed_webhooks_are_refused_and_store_nothing(system):
    digits = mobile_digits()
    params = {"CallSid": call_sid(), "From": f"+{digits}", "To": "+7495", "CallStatus": "completed",
              "Direction": "inbound", "CallDuration": "30"}
    assert post_twilio(system, "/webhooks/twilio/voice", params, token="wrong").status_code == 403
    assert post_telegram(system, {"update_id": 1, "message": {"message_id": 1, "from": {"id": 5}, "text": "x"}},
                         secret="wrong").status_code == 403
    assert post_hmac(system, "/webhooks/email", {"message_id": "m"}, "email_secret", secret="wrong").status_code == 403
    assert system.admin.get("/contacts", params={"q": digits[1:]}).json()["total"] == 0


def test_spam_and_unparseable_numbers(system):
    blocked = mobile_digits()
    assert system.admin.post("/intake/blocked-numbers", json={"phone": f"8{blocked[1:]}", "reason": "робот"}
                             ).status_code == 201
    spam = post_hmac(system, "/webhooks/pbx", {"call_id": uuid.uuid4().hex, "direction": "in", "from": blocked,
                                              "to": "101", "status": "ANSWERED", "duration": 40,
                                              "started_at": "2026-11-23T09:00:00+03:00"}, "pbx_secret").json()
    robocall = post_hmac(system, "/webhooks/pbx", {"call_id": uuid.uuid4().hex, "direction": "in",
                                                  "from": mobile_digits(), "to": "101", "status": "ANSWERED",
                                                  "duration": 2, "started_at": "2026-11-23T09:00:00+03:00"},
                         "pbx_secret").json()
    odd = post_hmac(system, "/webhooks/pbx", {"call_id": uuid.uuid4().hex, "direction": "in", "from": "12-АБВ",
                                             "to": "101", "status": "ANSWERED", "duration": 20,
                                             "started_at": "2026-11-23T09:00:00+03:00"}, "pbx_secret")
    assert (spam["category"], spam["lead_id"]) == ("spam", None)
    assert (robocall["category"], robocall["lead_id"]) == ("spam", None)
    assert odd.status_code == 201
    contact = card(system, odd.json()["contact_id"])
    assert contact["phone_flagged"] is True and contact["phone_unparsed"] == "12-АБВ"


def test_the_stage_gate_answers_422_with_the_missing_fields_and_won_converts(system):
    operator = system.user("operator")
    lead = operator.post("/leads", json={"name": "ООО Ромашка, Павел", "phone": f"+{mobile_digits()}"}).json()
    refused = operator.post(f"/leads/{lead['id']}/convert", json={"fields": {"client_type": "business"}})
    assert refused.status_code == 422
    assert refused.json()["details"]["missing_fields"] == ["request_type", "company_name", "company_category"]
    assert operator.get(f"/leads/{lead['id']}").json()["stage"] == "new"  # nothing half-written

    converted = operator.post(f"/leads/{lead['id']}/convert", json={"fields": {
        "client_type": "business", "request_type": "подключение офиса", "company_name": "ООО Ромашка",
        "company_category": "A"}})
    assert converted.status_code == 200, converted.text
    assert converted.json()["stage"] == "won" and converted.json()["converted_at"]
    client = card(system, lead["contact"]["id"])
    assert client["company"]["name"] == "ООО Ромашка" and client["company"]["category"] == "A"
    assert operator.post(f"/leads/{lead['id']}/move", json={"stage": "new"}).status_code == 422


def test_each_lost_reason_is_its_own_stage(system):
    stages = {s["code"]: s for s in system.admin.get("/lead-stages").json()}
    assert {code for code, s in stages.items() if s["kind"] == "lost"} >= {"lost_expensive", "lost_no_coverage"}
    lead = system.admin.post("/leads", json={"name": "Отказник", "phone": f"+{mobile_digits()}"}).json()
    moved = system.admin.post(f"/leads/{lead['id']}/move", json={"stage": "lost_expensive"}).json()
    assert (moved["stage_kind"], moved["stage_name"]) == ("lost", "Отказ: дорого")
    assert system.admin.post(f"/leads/{lead['id']}/move", json={"stage": "nowhere"}).status_code == 404


def test_duplicates_are_suggested_and_merged_keeping_all_history(system):
    surname = uuid.uuid4().hex[:8]
    first = system.admin.post("/leads", json={"name": f"Олег {surname}", "phone": f"+{mobile_digits()}"}).json()
    second = system.admin.post("/leads", json={"name": f"олег {surname} ", "email": f"{surname}@ya.ru"}).json()
    keep, merge = first["contact"]["id"], second["contact"]["id"]
    pairs = system.admin.get("/contacts/duplicates", params={"limit": 500}).json()
    assert {"first_id": keep, "second_id": merge, "name": f"Олег {surname}"} in pairs
    merged = system.admin.post("/contacts/merge", json={"keep_id": keep, "merge_id": merge})
    assert merged.status_code == 200, merged.text
    client = card(system, keep)
    assert {lead["id"] for lead in client["open_leads"]} == {first["id"], second["id"]}
    assert client["email"] == f"{surname}@ya.ru"
    assert card(system, merge)["redirected_from"] == merge
    assert system.admin.post("/contacts/merge", json={"keep_id": keep, "merge_id": merge}).status_code == 409


def test_new_leads_go_round_robin_and_an_absent_owners_clients_move_and_come_back(system):
    head = system.user("head_of_sales")
    operators = [system.user("operator") for _ in range(2)]
    ids = [client.get("/me").json()["id"] for client in operators]
    duty = head.get("/ownership/duty").json()
    for entry in duty:
        head.post("/ownership/duty", json={"user_id": entry["user_id"], "on_duty": False})
    for user_id in ids:
        assert head.post("/ownership/duty", json={"user_id": user_id, "on_duty": True}).status_code == 200
    created = [system.post_form("site-main", {"name": f"Клиент {i}", "phone": f"+{mobile_digits()}"}).json()
               for i in range(4)]
    owners = [lead["responsible_id"] for lead in created]
    assert sorted(owners) == sorted(ids * 2) and owners[0] != owners[1]

    absent, substitute = ids
    company = head.post("/companies", json={"name": f"ООО {uuid.uuid4().hex[:6]}", "category": "B",
                                            "responsible_id": absent}).json()
    assert head.post("/ownership/substitutes", json={"user_id": absent, "substitute_id": substitute}).status_code == 200
    moved = head.post("/ownership/reassign", json={"from_user_id": absent, "reason": "отпуск"}).json()
    absent_leads = [lead["id"] for lead in created if lead["responsible_id"] == absent]
    assert set(absent_leads) <= set(moved["lead_ids"]) and company["id"] in moved["company_ids"]
    assert all(system.admin.get(f"/leads/{i}").json()["responsible_id"] == substitute for i in absent_leads)
    assert {e["user_id"]: e["on_duty"] for e in head.get("/ownership/duty").json()}[absent] is False

    back = head.post("/ownership/return", json={"batch_id": moved["batch_id"]}).json()
    assert set(absent_leads) <= set(back["lead_ids"])
    assert all(system.admin.get(f"/leads/{i}").json()["responsible_id"] == absent for i in absent_leads)
    assert system.user("operator").post("/ownership/reassign", json={"from_user_id": absent, "reason": "x"}
                                        ).status_code == 403


def test_lead_events_reach_reports(system):
    lead = system.post_form("site-okna", {"name": "Считаем", "phone": f"+{mobile_digits()}"}).json()
    today = lead["created_at"][:10]
    eventually(lambda: system.admin.get("/reports/leads-per-day", params={
        "date_from": today, "date_to": today, "source": "site-okna"}).json()["total"] >= 1)


def test_a_form_with_an_unparseable_phone_is_kept_and_flagged(system):
    response = system.post_form("site-main", {"name": "Странный номер", "phone": "8 (000) 000"})
    assert response.status_code == 201
    contact = response.json()["contact"]
    assert contact["phone"] is None and contact["phone_unparsed"] == "8 (000) 000"


def test_stages_are_data_an_admin_can_change(system):
    code = f"call_back_{uuid.uuid4().hex[:6]}"
    saved = system.admin.post("/lead-stages", json={"code": code, "name": "Перезвонить", "kind": "open",
                                                     "position": 5, "required_fields": ["callback_date"]})
    assert saved.status_code == 200 and code in {s["code"] for s in saved.json()}
    lead = system.admin.post("/leads", json={"name": "Перезвон", "phone": f"+{mobile_digits()}"}).json()
    refused = system.admin.post(f"/leads/{lead['id']}/move", json={"stage": code})
    assert refused.status_code == 422 and refused.json()["details"]["missing_fields"] == ["callback_date"]
    moved = system.admin.post(f"/leads/{lead['id']}/move", json={"stage": code, "fields": {"callback_date": "2026-12-01"}})
    assert moved.json()["stage"] == code and moved.json()["fields"]["callback_date"] == "2026-12-01"
    bad = system.admin.post("/lead-stages", json={"code": "Bad Code", "name": "", "kind": "maybe", "position": -1})
    assert bad.status_code == 400 and set(bad.json()["details"]) == {"code", "name", "kind", "position"}
    assert system.user("manager").post("/lead-stages", json={}).status_code == 403


def test_company_categories_carry_their_contact_interval(system):
    assert {c["category"]: c["contact_interval_days"] for c in system.admin.get("/companies/categories").json()} \
        .keys() == {"A", "B", "C"}
    changed = system.admin.post("/companies/categories", json={"category": "C", "contact_interval_days": 45})
    assert {c["category"]: c["contact_interval_days"] for c in changed.json()}["C"] == 45
    assert system.admin.post("/companies", json={"name": "Без категории"}).status_code == 400
    system.admin.post("/companies/categories", json={"category": "C", "contact_interval_days": 60})


def test_a_dismissed_users_clients_move_to_the_substitute_and_the_user_is_locked_out(system):
    leaving, staying = system.user("manager"), system.user("manager")
    leaving_id, staying_id = leaving.get("/me").json()["id"], staying.get("/me").json()["id"]
    lead = leaving.post("/leads", json={"name": "Клиент уходящего", "phone": f"+{mobile_digits()}",
                                        "responsible_id": leaving_id}).json()
    assert lead["responsible_id"] == leaving_id
    dismissed = system.admin.post(f"/users/{leaving_id}/dismiss", json={"substitute_id": staying_id})
    assert dismissed.status_code == 200, dismissed.text
    assert lead["id"] in dismissed.json()["handed_over"]["lead_ids"]
    assert system.admin.get(f"/leads/{lead['id']}").json()["responsible_id"] == staying_id
    assert leaving.get("/me").status_code == 401
    assert system.admin.post("/users/999999/dismiss", json={}).status_code == 404


def test_calls_from_a_client_with_an_open_deal_are_linked_to_it(system):
    digits = mobile_digits()
    lead = system.admin.post("/leads", json={"name": "Клиент со сделкой", "phone": f"+{digits}"}).json()
    code = f"link-{uuid.uuid4().hex[:6]}"
    system.admin.post("/pipelines", json={"code": code, "name": "Связь", "stages": [
        {"code": "new", "name": "Новая"}, {"code": "won", "name": "Выиграна", "kind": "won"}]})
    deal = system.admin.post("/deals", json={"pipeline": code, "title": "Сделка", "contact_id": lead["contact"]["id"]}).json()

    def call_in():
        return post_hmac(system, "/webhooks/pbx", {"call_id": uuid.uuid4().hex, "direction": "in", "from": digits,
                                                  "to": "101", "status": "ANSWERED", "duration": 30,
                                                  "started_at": "2026-11-23T09:00:00+03:00"}, "pbx_secret").json()

    assert eventually(lambda: call_in()["deal_id"] == deal["id"])
    system.admin.post(f"/deals/{deal['id']}/move", json={"stage": "won"})
    assert eventually(lambda: call_in()["deal_id"] is None)
