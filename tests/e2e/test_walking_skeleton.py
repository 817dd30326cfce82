"""The walking skeleton, driven through the gateway's HTTP API as a client would."""
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from tests.support.system import eventually


def mobile() -> str:
    return f"+7 9{random.randint(10, 99)} {random.randint(100, 999)} {random.randint(10, 99)} {random.randint(10, 99)}"


def leads_total(system) -> int:
    return system.admin.get("/leads", params={"limit": 1}).json()["total"]


def test_health_lists_every_service(system):
    response = system.anonymous().get(f"{system.base_url}/health")
    assert response.status_code == 200
    services = {answer["service"]: answer["status"] for answer in response.json()["services"]}
    assert services == {name: "ok" for name in ("leads", "deals", "scheduling", "notify", "reports")}


def test_web_form_creates_a_lead_and_reports_count_it_per_day_and_source(system):
    today = datetime.now(UTC).date()
    query = {"date_from": (today - timedelta(days=1)).isoformat(), "date_to": (today + timedelta(days=1)).isoformat(),
             "source": "site-main"}
    before = system.admin.get("/reports/leads-per-day", params=query).json()["total"]

    response = system.post_form("site-main", {"submission_id": uuid.uuid4().hex, "name": "Пётр Васильев",
                                              "phone": "8 (916) 555-12-34", "message": "Подключите интернет"})

    assert response.status_code == 201, response.text
    lead = response.json()
    assert lead["source"] == "site-main" and lead["stage"] == "new"
    assert lead["contact"]["phone"] == "+79165551234"
    assert lead["title"] == "Заявка с сайта site-main: Пётр Васильев"
    shown = system.user("operator").get(f"/leads/{lead['id']}").json()
    assert shown["contact"]["name"] == "Пётр Васильев"
    report = eventually(lambda: (r := system.admin.get("/reports/leads-per-day", params=query).json())
                        ["total"] == before + 1 and r)
    assert {row["source"] for row in report["rows"]} == {"site-main"}


def test_one_person_from_two_sites_is_one_contact(system):
    phone_digits = f"79{random.randint(100000000, 999999999)}"
    first = system.post_form("site-main", {"name": "Анна", "phone": phone_digits}).json()
    second = system.post_form("site-okna", {"name": "Анна", "phone": "+" + phone_digits,
                                            "email": f"Anna.{phone_digits}@Example.RU"}).json()
    assert first["id"] != second["id"]
    assert first["contact"]["id"] == second["contact"]["id"]
    assert second["contact"]["email"] == f"anna.{phone_digits}@example.ru"


def test_a_resent_submission_creates_nothing_twice(system):
    form = {"submission_id": uuid.uuid4().hex, "name": "Олег", "phone": mobile()}
    first = system.post_form("site-main", form)
    total = leads_total(system)
    again = system.post_form("site-main", form)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert leads_total(system) == total


def test_forms_without_a_valid_signature_are_refused_and_write_nothing(system):
    total = leads_total(system)
    forged = system.post_form("site-main", {"name": "Взлом", "phone": mobile()}, secret="guessed")
    unknown_site = system.anonymous().post("/webhooks/forms/unknown-site", data=b"{}",
                                           headers={"X-Signature": "sha256=00"})
    assert forged.status_code == 403 and forged.json()["error"] == "forbidden"
    assert unknown_site.status_code == 403
    assert leads_total(system) == total


def test_bad_input_gets_field_details_and_writes_nothing(system):
    total = leads_total(system)
    wrong_types = system.post_form("site-main", {"name": 42, "phone": "не телефон", "email": "nope"})
    missing = system.post_form("site-main", {"message": "без имени и телефона"})
    manager = system.user("manager")
    malformed = manager.post("/deals", data=b"{not json", headers={"Content-Type": "application/json"})
    not_object = manager.post("/deals", json=[1, 2])
    oversized = manager.post("/deals", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                             headers={"Content-Type": "application/json"})
    unknown_route = manager.get("/no-such-thing")

    assert wrong_types.status_code == 400
    assert set(wrong_types.json()["details"]) == {"name", "email"}
    assert missing.status_code == 400 and "name" in missing.json()["details"]
    assert malformed.status_code == 400 and malformed.json()["error"] == "invalid_input"
    assert not_object.status_code == 400
    assert oversized.status_code == 413
    assert unknown_route.status_code == 404 and unknown_route.json()["error"] == "not_found"
    assert leads_total(system) == total


def test_tokens_and_roles_guard_every_endpoint(system):
    anonymous = system.anonymous()
    assert anonymous.get("/leads").status_code == 401
    assert anonymous.get("/openapi.json").status_code == 401
    assert anonymous.post("/auth/login", json={"login": "admin", "password": "wrong"}).status_code == 401
    assert system.admin.get("/nothing", headers={"Authorization": "Bearer forged"}).status_code in (401, 404)
    operator = system.user("operator")
    refused = operator.post("/pipelines", json={"code": "x", "name": "x", "stages": [{"code": "a", "name": "a"}]})
    assert refused.status_code == 403 and refused.json()["details"]["allowed_roles"] == ["admin"]
    assert system.user("crew_member").get("/leads").status_code == 403
    assert operator.get("/me").json()["role"] == "operator"


def test_openapi_documents_the_api(system):
    document = system.admin.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/webhooks/forms/{site}" in document["paths"]
    assert "/api/v1/deals/{deal_id}/move" in document["paths"]
    login = document["paths"]["/api/v1/auth/login"]["post"]
    assert login["security"] == []
    assert "requestBody" in login


def test_request_ids_are_echoed(system):
    response = system.admin.get("/me", headers={"X-Request-ID": "trace-123"})
    assert response.headers["X-Request-ID"] == "trace-123"


def test_deal_moves_through_its_pipeline(system):
    code = f"sales-{uuid.uuid4().hex[:6]}"
    created = system.admin.post("/pipelines", json={"code": code, "name": "Продажи", "stages": [
        {"code": "new", "name": "Новая"}, {"code": "contract", "name": "Договор подписан"},
        {"code": "won", "name": "Подключен", "kind": "won"}]})
    assert created.status_code == 201, created.text
    assert system.admin.post("/pipelines", json={"code": code, "name": "Снова", "stages": [
        {"code": "new", "name": "Новая"}]}).status_code == 409
    manager = system.user("manager")
    deal = manager.post("/deals", json={"pipeline": code, "title": "Интернет для офиса", "amount": "12500.50"}).json()
    assert (deal["stage"], deal["amount"]) == ("new", "12500.50")
    moved = manager.post(f"/deals/{deal['id']}/move", json={"stage": "contract"})
    assert moved.status_code == 200 and moved.json()["stage_name"] == "Договор подписан"
    assert manager.post(f"/deals/{deal['id']}/move", json={"stage": "nowhere"}).status_code == 404
    assert manager.get(f"/deals/{deal['id']}").json()["stage"] == "contract"
    assert manager.get("/deals/999999999").status_code == 404


def test_a_crew_is_never_double_booked_and_its_leader_is_told(system):
    crew = system.admin.post("/crews", json={"name": f"Бригада {uuid.uuid4().hex[:6]}", "skill": "подключение",
                                             "leader_name": "Сергей", "leader_phone": "+79005550101"}).json()
    start = datetime.combine(date.today() + timedelta(days=3), datetime.min.time(), tzinfo=UTC) + timedelta(hours=7)
    slot = {"crew_id": crew["id"], "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(), "address": "г. Москва, ул. Лесная, д. 5"}
    operators = [system.user("operator") for _ in range(2)]

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda i: operators[i % 2].post("/bookings", json=slot).status_code, range(20)))

    assert sorted(answers) == [201] + [409] * 19
    body = eventually(lambda: system.admin.get("/notifications", params={"recipient": f"crew:{crew['id']}"}).json())
    assert len(body) == 1
    assert body[0]["body"] == (f"Новый выезд для бригады «{crew['name']}»: "
                               f"{(start + timedelta(hours=3)).strftime('%d.%m.%Y %H:%M')}–12:00, "
                               f"адрес: г. Москва, ул. Лесная, д. 5.")
    bad = operators[0].post("/bookings", json={**slot, "ends_at": slot["starts_at"]})
    assert bad.status_code == 400 and "ends_at" in bad.json()["details"]


def test_colleagues_message_each_other_once(system):
    controller = system.user("controller")
    manager = system.user("manager")
    manager_id = manager.get("/me").json()["id"]
    message = {"user_id": manager_id, "text": "Почему сделка без задачи?", "idempotency_key": "q-1"}
    assert controller.post("/notifications", json=message).status_code == 201
    assert controller.post("/notifications", json=message).status_code == 201
    inbox = manager.get("/notifications").json()
    assert [item["body"] for item in inbox] == ["Тест controller: Почему сделка без задачи?"]
    assert manager.get("/notifications", params={"recipient": "user:1"}).status_code == 403
