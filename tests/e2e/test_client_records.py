"""Everyday records of clients through the gateway: contacts, companies and leads edited (as
strictly as created, naming the version read), archived and restored, and every read model that
shows an edited field following it (the card, the inbox, the ABC report)."""
import random
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.system import eventually
from tests.support.webhooks import post_hmac


def mobile() -> str:
    return f"9{random.randint(100000000, 999999999)}"


def form_lead(system, digits: str, name: str = "Ольга Смирнова") -> dict:
    response = system.post_form("site-main", {"name": name, "phone": f"+7{digits}", "message": "Нужен интернет",
                                              "submission_id": uuid.uuid4().hex})
    assert response.status_code in (200, 201), response.text
    return response.json()


def card(system, contact_id: int) -> dict:
    response = system.admin.get(f"/clients/{contact_id}")
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == f'"{response.json()["version"]}"'
    return response.json()


def company(system, category: str, responsible_id: int | None = None) -> dict:
    response = system.admin.post("/companies", json={"name": f"ООО «Клиент {uuid.uuid4().hex[:6]}»",
                                                     "category": category, "responsible_id": responsible_id})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_new_phone_in_any_format_is_e164_on_the_card_and_a_later_form_from_it_finds_the_same_client(system):
    operator = system.user("operator")
    old, new = mobile(), mobile()
    contact_id = form_lead(system, old)["contact"]["id"]
    read = card(system, contact_id)["version"]

    edited = operator.patch(f"/contacts/{contact_id}", headers={"If-Match": f'"{read}"'}, json={
        "name": "Ольга Петровна Смирнова", "phone": f"8 ({new[:3]}) {new[3:6]}-{new[6:8]}-{new[8:]}",
        "email": "Olga.Smirnova@Mail.RU", "telegram": "olga_s"})

    assert edited.status_code == 200, edited.text
    assert edited.headers["ETag"] == f'"{read + 1}"'
    shown = card(system, contact_id)
    assert (shown["name"], shown["phone"], shown["phones"], shown["email"], shown["telegram"], shown["version"]) == (
        "Ольга Петровна Смирнова", f"+7{new}", [f"+7{new}"], "olga.smirnova@mail.ru", "olga_s", read + 1)
    assert {(i["kind"], i["value"]) for i in shown["identities"]} == {
        ("phone", f"+7{new}"), ("email", "olga.smirnova@mail.ru"), ("telegram", "olga_s")}
    inbox = system.admin.get("/communications", params={"channel": "web_form", "limit": 100}).json()["items"]
    row = next(item for item in inbox if item["contact"]["id"] == contact_id)
    assert (row["contact"]["name"], row["contact"]["phone"]) == ("Ольга Петровна Смирнова", f"+7{new}")

    again = form_lead(system, new, name="Ольга")
    assert again["contact"]["id"] == contact_id
    assert form_lead(system, old, name="Кто-то другой")["contact"]["id"] != contact_id  # the old number went


def test_an_edit_as_strict_as_creation_changes_nothing_when_refused(system):
    contact_id = form_lead(system, mobile())["contact"]["id"]
    before = card(system, contact_id)

    bad_phone = system.admin.patch(f"/contacts/{contact_id}", json={"phone": "12-34", "name": "Новое имя"})
    bad_email = system.admin.patch(f"/contacts/{contact_id}", json={"email": "not-an-address"})
    empty_name = system.admin.patch(f"/contacts/{contact_id}", json={"name": ""})
    bad_inn = system.admin.patch(f"/companies/{company(system, 'B')['id']}", json={"inn": "7707083894"})

    assert (bad_phone.status_code, bad_email.status_code, empty_name.status_code, bad_inn.status_code) == (
        400, 400, 400, 400)
    assert "phone" in bad_phone.json()["details"] and "email" in bad_email.json()["details"]
    assert "name" in empty_name.json()["details"] and "inn" in bad_inn.json()["details"]
    assert card(system, contact_id) == before


def test_a_stale_version_is_a_409_naming_the_current_one_and_a_taken_number_names_its_contact(system):
    first, second = mobile(), mobile()
    contact_id = form_lead(system, first)["contact"]["id"]
    other_id = form_lead(system, second, name="Павел Орлов")["contact"]["id"]
    read = card(system, contact_id)["version"]
    assert system.admin.patch(f"/contacts/{contact_id}", json={"name": "Ольга С.", "version": read}).status_code == 200

    stale = system.admin.patch(f"/contacts/{contact_id}", json={"name": "Ольга Смирнова", "version": read})
    taken = system.admin.patch(f"/contacts/{contact_id}", json={"phones": [f"+7{first}", f"8{second}"]})
    unchanged = system.admin.patch(f"/contacts/{contact_id}", json={"name": "Ольга С."})
    missing = system.admin.patch("/contacts/999999999", json={"name": "Никто"})

    assert stale.status_code == 409
    assert stale.json()["details"] == {"version": [f"changed since you read it; it is now {read + 1}"]}
    assert taken.status_code == 409 and taken.json()["details"]["contact_ids"] == [other_id]
    assert "merge" in taken.json()["details"]["phones"][0]
    assert unchanged.status_code == 200 and unchanged.json()["version"] == read + 1  # nothing changed, same version
    assert missing.status_code == 404
    shown = card(system, contact_id)
    assert (shown["name"], shown["phones"]) == ("Ольга С.", [f"+7{first}"])


def test_a_company_from_c_to_a_changes_its_abc_row_and_its_responsible_moves_it_without_reassigning(system):
    manager, head = system.user("manager"), system.user("head_of_sales")
    manager_id, head_id = manager.get("/me").json()["id"], head.get("/me").json()["id"]
    client = company(system, "C", manager_id)
    address = f"buh{uuid.uuid4().hex[:8]}@client.ru"
    month_ago = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    mail = post_hmac(system, "/webhooks/email", {"message_id": f"<{uuid.uuid4().hex}@client.ru>", "from": address,
                                                 "to": "office@firm.ru", "subject": "Акт", "text": "Акт сверки",
                                                 "date": month_ago}, "email_secret")
    assert mail.status_code == 201, mail.text
    contact_id = mail.json()["contact_id"]
    joined = system.admin.patch(f"/contacts/{contact_id}", json={"company_id": client["id"]})
    assert joined.status_code == 200 and joined.json()["company"]["id"] == client["id"]

    def abc_row(**expected):
        rows = system.admin.get("/reports/abc", params={"company_id": client["id"]}).json()["rows"]
        return rows and all(rows[0][key] == value for key, value in expected.items()) and rows[0]

    row = eventually(lambda: abc_row(category="C", overdue=False))  # 30 days is within C's 60
    assert (row["last_email"], row["responsible_id"]) == (
        (datetime.now(UTC) - timedelta(days=30)).astimezone(ZoneInfo("Europe/Moscow")).date().isoformat(), manager_id)

    edited = system.admin.patch(f"/companies/{client['id']}", headers={"If-Match": f'"{client["version"]}"'},
                                json={"category": "A", "responsible_id": head_id, "inn": "7707083893",
                                      "address": "Москва, ул. Лесная, 5"})

    assert edited.status_code == 200, edited.text
    assert (edited.json()["category"], edited.json()["responsible_id"], edited.json()["version"]) == ("A", head_id, 2)
    assert system.admin.get(f"/companies/{client['id']}").headers["ETag"] == '"2"'
    row = eventually(lambda: abc_row(category="A"))
    assert (row["overdue"], row["responsible_id"]) == (True, head_id)  # 30 days is past A's 14
    assert manager.get("/reports/abc", params={"company_id": client["id"]}).json()["rows"] == []
    assert card(system, contact_id)["company"]["category"] == "A"  # the contact was not reassigned, yet follows


def test_a_lead_is_corrected_in_one_call_and_its_stage_still_moves_only_through_its_gate(system):
    lead = form_lead(system, mobile())
    operator = system.user("operator")
    operator_id = operator.get("/me").json()["id"]
    read = system.admin.get(f"/leads/{lead['id']}")
    version = read.json()["version"]
    assert read.headers["ETag"] == f'"{version}"'

    edited = system.admin.patch(f"/leads/{lead['id']}", headers={"If-Match": read.headers["ETag"]}, json={
        "title": "Подключение офиса", "message": "Перезвонить после обеда", "responsible_id": operator_id,
        "fields": {"request_type": "подключение"}})
    stale = system.admin.patch(f"/leads/{lead['id']}", json={"title": "Иначе", "version": version})
    bad = system.admin.patch(f"/leads/{lead['id']}", json={"fields": {"client_type": "alien"}})
    skipping_the_gate = system.admin.patch(f"/leads/{lead['id']}", json={"stage": "won"})

    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["title"], body["message"], body["responsible_id"], body["request_type"], body["stage"],
            body["version"]) == ("Подключение офиса", "Перезвонить после обеда", operator_id, "подключение", "new",
                                 version + 1)
    assert stale.status_code == 409 and bad.status_code == 400 and "fields" in bad.json()["details"]
    assert skipping_the_gate.status_code == 400 and "stage" in skipping_the_gate.json()["details"]
    assert system.admin.get(f"/leads/{lead['id']}").json()["stage"] == "new"
    assert operator.get("/leads", params={"mine": "true"}).json()["items"][0]["id"] == lead["id"]


def test_archive_hides_from_lists_keeps_the_card_and_the_reports_and_refuses_what_open_work_needs(system):
    manager = system.user("manager")
    manager_id = manager.get("/me").json()["id"]
    client = company(system, "B", manager_id)
    lead = form_lead(system, mobile(), name=f"Архивный {uuid.uuid4().hex[:6]}")
    contact_id = lead["contact"]["id"]
    joined = system.admin.patch(f"/contacts/{contact_id}", json={"company_id": client["id"]})
    assert joined.status_code == 200, joined.text
    pipeline = f"arch-{uuid.uuid4().hex[:6]}"
    assert system.admin.post("/pipelines", json={"code": pipeline, "name": "Архив", "fields": [], "stages": [
        {"code": "open", "name": "Открыта", "kind": "open", "required_fields": []},
        {"code": "won", "name": "Успех", "kind": "won", "required_fields": []}]}).status_code == 201
    deal = system.admin.post("/deals", json={"pipeline": pipeline, "title": "Интернет", "contact_id": contact_id})
    assert deal.status_code == 201, deal.text

    def refused(path: str):
        response = system.admin.post(path)
        return response.status_code == 409 and "open_deals" in response.json()["details"] and response.json()

    contact_refused = eventually(lambda: refused(f"/contacts/{contact_id}/archive"))
    assert contact_refused["details"] == {"open_leads": [lead["id"]], "open_deals": [deal.json()["id"]]}
    assert system.admin.post(f"/companies/{client['id']}/archive").json()["details"] == contact_refused["details"]

    assert system.admin.post(f"/leads/{lead['id']}/move", json={"stage": "lost_expensive"}).status_code == 200
    closed = system.admin.post(f"/deals/{deal.json()['id']}/move", json={"stage": "won"})
    assert closed.status_code == 200, closed.text
    archived = eventually(lambda: (r := system.admin.post(f"/contacts/{contact_id}/archive")).status_code == 200 and r)
    assert archived.json()["archived_at"] and archived.json()["version"] == joined.json()["version"] + 1
    company_archived = system.admin.post(f"/companies/{client['id']}/archive")
    lead_archived = system.admin.post(f"/leads/{lead['id']}/archive")
    assert (company_archived.status_code, lead_archived.status_code) == (200, 200)

    name = lead["contact"]["name"]
    assert system.admin.get("/contacts", params={"q": name}).json()["items"] == []
    assert [c["id"] for c in system.admin.get("/contacts", params={"q": name, "archived": "true"}).json()["items"]] \
        == [contact_id]
    live_companies = system.admin.get("/companies", params={"responsible_id": manager_id}).json()["items"]
    archived_companies = system.admin.get("/companies", params={"responsible_id": manager_id, "archived": "true"})
    assert live_companies == [] and [c["id"] for c in archived_companies.json()["items"]] == [client["id"]]
    assert lead["id"] not in [item["id"] for item in system.admin.get("/leads", params={"contact_id": contact_id})
                              .json()["items"]]
    assert card(system, contact_id)["archived_at"] == archived.json()["archived_at"]
    assert system.admin.get(f"/leads/{lead['id']}").json()["archived_at"]
    assert eventually(lambda: system.admin.get("/reports/abc", params={"company_id": client["id"]}).json()["rows"])

    restored = system.admin.post(f"/contacts/{contact_id}/restore", headers={"If-Match": archived.headers["ETag"]})
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert [c["id"] for c in system.admin.get("/contacts", params={"q": name}).json()["items"]] == [contact_id]
    assert system.admin.post(f"/leads/{lead['id']}/restore").json()["archived_at"] is None
