"""S1 in a real browser: the manager drags a sale to "contract signed" on the kanban, the gate asks
for exactly the missing address, a linked connection deal opens by rule; an installer's slot is
booked for it; the client's SMS shows on the deal card with its delivery status; a controller's
question reaches the manager live."""
import random
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.support.system import eventually, provider_outcome, provider_records

HOURS = {day: ["00:00", "23:59"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def s1_configuration(system) -> tuple[dict, dict, dict]:
    suffix = uuid.uuid4().hex[:6]
    address = {"code": "address", "name": "Адрес подключения", "type": "text"}
    tariff = {"code": "tariff", "name": "Тариф", "type": "list", "options": ["100 Мбит/с", "500 Мбит/с"]}
    connection = {"code": f"connection-{suffix}", "name": f"Подключение {suffix}", "client_type": None,
                  "fields": [address],
                  "stages": [{"code": "scheduled", "name": "Выезд назначен", "kind": "open", "required_fields": []},
                             {"code": "done", "name": "Подключено", "kind": "won", "required_fields": []},
                             {"code": "failed", "name": "Не удалось", "kind": "lost", "required_fields": []}]}
    sales = {"code": f"sales-{suffix}", "name": f"Продажи {suffix}", "client_type": None, "fields": [address, tariff],
             "stages": [{"code": "new", "name": "Новая", "kind": "open", "required_fields": []},
                        {"code": "contract", "name": "Договор подписан", "kind": "open",
                         "required_fields": ["address", "tariff"]},
                        {"code": "connected", "name": "Подключен", "kind": "won", "required_fields": []},
                        {"code": "connection_failed", "name": "Подключение не удалось", "kind": "lost",
                         "required_fields": []}]}
    for pipeline in (connection, sales):
        assert system.admin.post("/pipelines", json=pipeline).status_code == 201
    rule = system.admin.post("/automation/rules", json={
        "name": f"Договор подписан — заявка на подключение {suffix}", "pipeline": sales["code"],
        "trigger": {"type": "entered_stage", "stage": "contract"},
        "actions": [{"type": "create_linked_deal", "pipeline": connection["code"], "title": "Подключение: {title}",
                     "copy_fields": {"address": "address"}}]})
    assert rule.status_code == 201, rule.text
    crew = system.admin.post("/crews", json={
        "name": f"Монтажники {suffix}", "skill": f"подключение-{suffix}", "leader_name": "Пётр Сидоров",
        "leader_phone": f"+7900{random.randint(1000000, 9999999)}", "zones": ["Центр"], "working_hours": HOURS})
    assert crew.status_code == 201, crew.text
    return sales, connection, crew.json()


def test_manager_moves_the_sale_books_the_installers_and_sees_the_sms_delivered(system, browser_context, staff):
    sales, connection, crew = s1_configuration(system)
    manager = staff("manager", "Мария Менеджер")
    manager_api = system.log_in(manager["login"], manager["password"])
    title = f"Интернет: Смирнова {uuid.uuid4().hex[:4]}"
    deal = manager_api.post("/deals", json={"pipeline": sales["code"], "title": title, "amount": "1500"}).json()
    client_phone = f"+7903{random.randint(1000000, 9999999)}"
    provider_outcome(system, client_phone, ["sent", "delivered"])

    page = browser_context.new_page()
    log_in(page, manager)
    expect(page.locator("h1")).to_have_text("Сделки")
    page.get_by_label("Воронка").select_option(sales["code"])
    new_column = page.locator("section.column[data-stage=new]")
    expect(new_column.locator(".count")).to_have_text("1")
    expect(new_column.locator(".totals")).to_contain_text("1 500 ₽")

    # Dropped on a stage with a gate: a small form with exactly the missing fields.
    card = new_column.locator(f"article.card[data-deal='{deal['id']}']")
    contract_column = page.locator("section.column[data-stage=contract]")
    card.drag_to(contract_column)
    gate = page.locator("dialog.modal")
    expect(gate.locator("label")).to_have_text(["Адрес подключения *", "Тариф *"])
    gate.locator("#f-tariff").select_option("500 Мбит/с")
    gate.get_by_role("button", name="Заполнить и перевести").click()
    expect(gate.locator("#e-address")).to_have_text("Обязательно для этого этапа")  # the server still says so
    expect(gate.locator("#f-tariff")).to_have_value("500 Мбит/с")
    gate.locator("#f-address").fill("г. Москва, ул. Лесная, д. 5, кв. 3")
    gate.get_by_role("button", name="Заполнить и перевести").click()
    expect(contract_column.locator(".count")).to_have_text("1")
    expect(contract_column.locator(".totals")).to_contain_text("1 500 ₽")
    expect(new_column.locator(".count")).to_have_text("0")

    # The deal card: the automatic change names its rule; the linked connection deal.
    contract_column.get_by_role("link", name=f"№{deal['id']} {title}").click()
    expect(page.locator("#deal-stage-name")).to_have_text("Договор подписан")
    expect(page.locator("ul.history .rule").first).to_contain_text("Договор подписан — заявка на подключение")
    linked = page.locator("section.panel", has_text="Связанные сделки").get_by_role("link")
    expect(linked).to_contain_text(f"Подключение: {title}")
    linked.click()
    expect(page.locator("h1")).to_contain_text(f"Подключение: {title}")
    connection_deal_id = int(page.url.rsplit("/", 1)[1])

    # The installers' slot, held and booked for the connection deal.
    page.get_by_role("button", name="Записать бригаду").click()
    page.locator("#f-skill").select_option(crew["skill"])
    page.get_by_role("button", name="Найти свободные слоты").click()
    page.locator("button.slot").first.click()
    hold = page.locator("section.hold")
    expect(hold.locator("#f-address")).to_have_value("г. Москва, ул. Лесная, д. 5, кв. 3")  # from the deal
    expect(hold.locator("#f-deal_id")).to_have_value(str(connection_deal_id))
    hold.locator("#f-client_name").fill("Анна Смирнова")
    hold.locator("#f-client_phone").fill(client_phone)
    hold.get_by_role("button", name="Записать").click()
    expect(page.locator(".alert.ok")).to_contain_text("Записано")

    # The crew leader gets the job; the client's SMS shows on the deal card, delivered.
    leader_sms = eventually(lambda: provider_records(system, "twilio", crew["leader_phone"]))
    assert "Лесная, д. 5" in leader_sms[0]["body"] and client_phone in leader_sms[0]["body"]
    eventually(lambda: any((m["recipient"], m["status"]) == (client_phone, "delivered") for m in
                           manager_api.get(f"/deals/{connection_deal_id}/messages").json()), timeout=30)
    page.goto(f"/console/#/deal/{connection_deal_id}")
    messages = page.locator("section.panel", has_text="Сообщения клиенту")
    row = messages.locator("tr", has_text="Мастер приедет")  # the client's; the leader's names the phone too
    expect(row.locator("td").nth(1)).to_have_text("SMS")
    expect(row.locator("td").nth(2)).to_have_text(client_phone)
    expect(row.locator(".message-status")).to_have_text("доставлено")
    expect(page.locator("section.panel", has_text="Выезды бригад")).to_contain_text("Лесная, д. 5")

    # A controller's question on the sale reaches its manager at once, without a reload.
    asked = system.user("controller").post(f"/deals/{deal['id']}/comments", json={"text": "Когда подключение?"})
    assert asked.status_code == 201, asked.text
    expect(page.locator("#toasts .toast.note")).to_contain_text("Когда подключение?")
    expect(page.locator("#unread")).to_have_text("1")
    page.get_by_role("button", name="Уведомления").click()
    expect(page.locator("#notifications")).to_contain_text("Когда подключение?")
