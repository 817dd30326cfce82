"""S4 in a real browser: a client writes from two sites and WhatsApp, then calls; the operator sees
the call arrive live, finds the whole history on one card, creates a request (the server's field
errors shown next to the fields), holds and books a measurer's slot; the measurer, on a phone,
sees the job with the address and the client's phone, asks to reschedule and closes it."""
import random
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in
from tests.support.webhooks import post_twilio

HOURS = {day: ["00:00", "23:59"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def measurer(system, staff) -> tuple[dict, dict]:
    member = staff("crew_member", "Андрей Козлов")
    person = system.admin.post("/staff", json={"full_name": "Андрей Козлов", "phone": "+79005550202",
                                               "user_id": member["id"]}).json()
    crew = system.admin.post("/crews", json={
        "name": f"Замерщик {uuid.uuid4().hex[:4]}", "skill": f"замер-{uuid.uuid4().hex[:6]}",
        "leader_staff_id": person["id"], "leader_name": "Андрей Козлов", "leader_phone": "+79005550202",
        "zones": ["Север"], "working_hours": HOURS, "time_zone": "Europe/Moscow"})
    assert crew.status_code == 201, crew.text
    return crew.json(), member


def test_operator_takes_a_call_sees_the_history_and_books_a_measurer(system, browser_context, staff, chromium):
    digits = f"79{random.randint(100000000, 999999999)}"
    client_name = f"Ирина Котова {uuid.uuid4().hex[:4]}"
    system.post_form("site-main", {"name": client_name, "phone": "+" + digits, "message": "Хочу окна в квартиру",
                                   "submission_id": uuid.uuid4().hex})
    system.post_form("site-okna", {"name": client_name, "phone": f"8 {digits[1:4]} {digits[4:]}",
                                   "email": f"irina{digits}@mail.ru"})
    post_twilio(system, "/webhooks/twilio/messages", {
        "MessageSid": "SM" + uuid.uuid4().hex, "From": f"whatsapp:+{digits}", "To": "whatsapp:+74950000000",
        "Body": "Когда приедет замерщик?", "ProfileName": "Ирина"})
    crew, member = measurer(system, staff)
    operator = staff("operator", "Ольга Оператор")

    page = browser_context.new_page()
    log_in(page, operator)
    expect(page.locator("h1")).to_have_text("Входящие")
    expect(page.locator("#live-state.on")).to_be_visible()
    expect(page.locator("table.grid").first).to_contain_text("Когда приедет замерщик?")  # the inbox has loaded

    # The call comes in while the page is open: it shows without a reload.
    call = post_twilio(system, "/webhooks/twilio/voice", {
        "CallSid": "CA" + uuid.uuid4().hex, "From": f"+{digits}", "To": "+74950000000", "CallStatus": "completed",
        "Direction": "inbound", "CallDuration": "64"})
    assert call.status_code == 200, call.text
    expect(page.locator("#toasts .toast.call")).to_contain_text(f"Входящий звонок: {client_name}")
    row = page.locator("table.grid tbody tr", has_text="Звонок").filter(has_text=client_name)
    expect(row).to_contain_text("Текущий заказ")  # she has an open request: the call is sorted as such
    page.locator("button[data-category=open_order]").click()
    expect(page.locator("table.grid").first).to_contain_text(client_name)

    # One card, every channel.
    row.get_by_role("link", name=client_name).first.click()
    expect(page.locator("h1")).to_have_text(client_name)
    history = page.locator("ul.history")
    for channel in ("Звонок", "WhatsApp", "Сайт"):
        expect(history).to_contain_text(channel)
    expect(history).to_contain_text("Когда приедет замерщик?")
    expect(page.locator("h2", has_text="История")).to_have_text("История (4)")

    # A request from the call; the server's field errors stand next to the fields.
    page.get_by_role("button", name="Создать заявку").click()
    dialog = page.locator("dialog.modal")
    dialog.locator("#f-email").fill("не почта")
    dialog.locator("#f-title").fill("Замер окон, 3 шт.")
    dialog.get_by_role("button", name="Создать заявку").click()
    expect(dialog.locator("#e-email")).not_to_be_empty()
    expect(dialog.locator("#f-email")).to_have_attribute("aria-invalid", "true")
    expect(dialog.locator("#f-title")).to_have_value("Замер окон, 3 шт.")  # nothing typed is lost
    dialog.locator("#f-email").fill(f"irina{digits}@mail.ru")
    dialog.get_by_role("button", name="Создать заявку").click()
    expect(page.locator("#toasts")).to_contain_text("создана")
    leads = system.admin.get("/leads", params={"q": "Замер окон, 3 шт."}).json()["items"]
    assert [lead["contact"]["name"] for lead in leads] == [client_name]

    # Free slots of the measurer, a hold while on the phone, the booking.
    page.get_by_role("button", name="Записать на замер").click()
    expect(page.locator("h1")).to_contain_text("Запись на замер")
    page.locator("#f-skill").select_option(crew["skill"])
    page.get_by_role("button", name="Найти свободные слоты").click()
    first_slot = page.locator("button.slot").first
    expect(first_slot).to_contain_text(crew["name"])
    first_slot.click()
    hold = page.locator("section.hold")
    expect(hold).to_contain_text("Удержано")
    expect(hold.locator(".countdown")).to_contain_text(":")
    expect(hold.locator("#f-client_phone")).to_have_value("+" + digits)  # from the client card
    hold.locator("#f-address").fill("г. Москва, ул. Северная, д. 8, кв. 12")
    hold.get_by_role("button", name="Записать").click()
    expect(page.locator(".alert.ok")).to_contain_text("Записано")
    [booking] = [b for b in system.admin.get("/bookings", params={"crew_id": crew["id"]}).json() if b["kind"] == "booking"]
    assert (booking["address"], booking["client_name"], booking["client_phone"]) == (
        "г. Москва, ул. Северная, д. 8, кв. 12", client_name, "+" + digits)

    # The measurer, on a phone: the job, the client's phone, a reschedule request, done.
    phone_context = chromium.new_context(base_url=system.base_url, locale="ru-RU", timezone_id="Europe/Moscow",
                                         viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        crew_page = phone_context.new_page()
        log_in(crew_page, member)
        job = crew_page.locator(f"article.job-card[data-booking='{booking['id']}']")
        expect(job).to_contain_text("ул. Северная, д. 8, кв. 12")
        expect(job.get_by_role("link", name="+" + digits)).to_have_attribute("href", f"tel:+{digits}")
        job.get_by_role("button", name="Попросить перенос").click()
        crew_page.locator("dialog.modal").get_by_role("button", name="Отправить просьбу").click()
        expect(crew_page.locator("dialog.modal #e-reason")).not_to_be_empty()  # a reason is required
        crew_page.locator("dialog.modal #f-reason").fill("Клиент просит после 18:00")
        crew_page.locator("dialog.modal").get_by_role("button", name="Отправить просьбу").click()
        expect(job).to_contain_text("перенос запрошен")
        job.get_by_role("button", name="Выполнено", exact=True).click()
        expect(job.locator(".tag").first).to_have_text("Выполнен")
        expect(job.get_by_role("button")).to_have_count(0)
    finally:
        phone_context.close()


def test_operator_converts_a_request_and_the_gate_asks_for_what_it_needs(system, browser_context, staff):
    name = f"Олег Новиков {uuid.uuid4().hex[:4]}"
    system.post_form("site-okna", {"name": name, "phone": f"+79{random.randint(100000000, 999999999)}",
                                   "message": "Балкон под ключ", "submission_id": uuid.uuid4().hex})
    page = browser_context.new_page()
    log_in(page, staff("operator", "Ольга Оператор"))
    row = page.locator("table.grid tbody tr", has_text=f"Заявка с сайта site-okna: {name}")
    row.get_by_role("button", name="Перевести").click()
    page.locator("#lead-stage").select_option(label="Сконвертирован")
    page.locator("dialog.modal").get_by_role("button", name="Перевести").click()

    gate = page.locator("dialog.modal", has_text="Для перехода на этот этап")
    expect(gate.locator("label")).to_have_text(["Тип заявки *", "Тип клиента *"])
    gate.get_by_role("button", name="Заполнить и перевести").click()
    expect(gate.locator("#e-request_type")).to_have_text("Обязательно для этого этапа")
    expect(gate.locator("#e-client_type")).to_have_text("Обязательно для этого этапа")
    gate.locator("#f-request_type").fill("замер")
    gate.locator("#f-client_type").select_option("private")
    gate.get_by_role("button", name="Заполнить и перевести").click()
    expect(page.locator("#toasts")).to_contain_text("Сконвертирован")
    expect(row).to_have_count(0)  # no longer among the open requests
    leads = system.admin.get("/leads", params={"q": name}).json()["items"]
    assert [(lead["stage_kind"], lead["request_type"], lead["client_type"]) for lead in leads] == [
        ("won", "замер", "private")]
