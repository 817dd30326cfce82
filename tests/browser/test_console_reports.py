"""The console's report pages in a browser: a head of sales reads a manager's KPI row, filters the ABC
report and downloads it, opens the problem orders and the crews' calendar (on a phone too).
The data is made through the API, as a client would; reports get it from events, a moment later."""
import csv
import io
import random
import re
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, log_in
from tests.support.system import eventually
from tests.support.webhooks import post_twilio

MOSCOW = ZoneInfo("Europe/Moscow")
TODAY = datetime.now(MOSCOW).date()


def pipeline(system, stages: list[tuple[str, str, str]], fields: list = ()) -> str:
    code = f"ui-{uuid.uuid4().hex[:6]}"
    response = system.admin.post("/pipelines", json={
        "code": code, "name": f"Воронка {code}", "fields": list(fields),
        "stages": [{"code": c, "name": name, "kind": kind, "required_fields": []} for c, name, kind in stages]})
    assert response.status_code == 201, response.text
    return code


def created(response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


def open_reports(page: Page, user: dict) -> None:
    log_in(page, user)
    page.get_by_role("link", name="Отчёты").click()
    expect(page.get_by_role("heading", name="Отчёты")).to_be_visible()


def test_the_head_of_sales_reads_a_managers_kpis_filters_the_abc_report_and_downloads_it(system, staff,
                                                                                         browser_context):
    head = staff("head_of_sales", "Ирина Руководитель")
    seller = staff("manager", "Пётр Менеджер")
    manager = system.log_in(seller["login"], seller["password"])
    fitness = pipeline(system, [("new", "Новая", "open"), ("bought", "Куплен", "won")], [
        {"code": "plans_to_come", "name": "Планирует прийти", "type": "date"},
        {"code": "membership_end", "name": "Окончание абонемента", "type": "date"},
        {"code": "service", "name": "Услуга", "type": "text"}])
    open_deal = created(manager.post("/deals", json={"pipeline": fitness, "title": "Абонемент: Орлова",
                                                     "amount": "700", "fields": {"service": "Бассейн"}}))
    won = created(manager.post("/deals", json={"pipeline": fitness, "title": "Абонемент: Лебедев", "amount": "1500",
                                               "fields": {"plans_to_come": TODAY.isoformat(),
                                                          "membership_end": "2099-12-31", "service": "Зал"}}))
    past, future = (datetime.now(UTC) + timedelta(hours=hours) for hours in (-1, 24))
    created(manager.post(f"/deals/{open_deal['id']}/tasks", json={"title": "Позвонить", "due_at": past.isoformat()}))
    task = created(manager.post(f"/deals/{won['id']}/tasks", json={"title": "Встретить", "due_at": future.isoformat()}))
    created(manager.post(f"/tasks/{task['id']}/complete", json={}))
    created(manager.post(f"/deals/{won['id']}/move", json={"stage": "bought"}))

    # ABC: one company with a completed call through its contact, one never contacted.
    digits = f"79{random.randint(100000000, 999999999)}"
    call = post_twilio(system, "/webhooks/twilio/voice", {
        "CallSid": "CA" + uuid.uuid4().hex, "From": f"+{digits}", "To": "+74950000000", "CallStatus": "completed",
        "Direction": "inbound", "CallDuration": "60"})
    assert call.status_code == 200, call.text
    contact = eventually(lambda: system.admin.get("/contacts", params={"q": digits[-10:]}).json()["items"])[0]
    reached = created(system.admin.post("/companies", json={"name": "ООО «Контакт»", "category": "A",
                                                            "responsible_id": seller["id"]}))
    created(system.admin.post("/companies", json={"name": "ООО «Тишина»", "category": "B",
                                                  "responsible_id": seller["id"]}))
    created(system.admin.post(f"/contacts/{contact['id']}/company", json={"company_id": reached["id"]}))

    period = {"date_from": TODAY.isoformat(), "date_to": TODAY.isoformat(), "manager_id": seller["id"]}
    eventually(lambda: [row for row in system.admin.get("/reports/kpi", params=period).json()["rows"]
                        if row["won_sum_month"] == "1500.00" and row["done_today"] == "1"])
    eventually(lambda: [row for row in system.admin.get("/reports/abc", params={"responsible_id": seller["id"]})
                        .json()["rows"] if row["last_call"]])

    page = browser_context.new_page()
    open_reports(page, head)
    page.locator("#f-date_from").fill(TODAY.isoformat())
    page.locator("#f-manager_id").select_option(str(seller["id"]))
    page.get_by_role("button", name="Показать").click()
    expect(page).to_have_url(re.compile(rf"#/reports/kpi\?.*manager_id={seller['id']}"))
    page.reload()  # the filters live in the address
    row = page.locator(f"tr[data-manager='{seller['id']}'][data-day='{TODAY.isoformat()}']")
    expected = {"Сделано сегодня": "1", "Сделок создано сегодня": "2", "Просроченные сделки": "1",
                "Не указана услуга": "0", "Сумма выигранных сделок за месяц": "1 500 ₽",
                "Сумма сделок в работе за месяц": "700 ₽", "Всего активностей сегодня": "2"}
    for label, value in expected.items():
        expect(row.locator(f"td[data-label='{label}'] .value")).to_have_text(value)
    expect(row.locator("td[data-label='Менеджер']")).to_have_text(seller["full_name"])
    expect(page.get_by_role("img", name="Динамика показателей")).to_be_visible()

    page.get_by_role("button", name="ABC-контроль").click()
    page.locator("#f-responsible_id").select_option(str(seller["id"]))
    page.get_by_label("Просрочен контакт").select_option(label="Просрочены")
    page.get_by_role("button", name="Показать").click()
    chart = page.get_by_role("img", name="Доля просроченных компаний по сотрудникам")
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.naturalWidth") > 0
    # The chart shown is the filtered one (read from the page's requests).
    asked = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)"
                          ".filter(name => name.includes('/reports/abc/chart.svg'))")
    shown = asked[-1].split("/api/v1")[1]
    assert f"responsible_id={seller['id']}" in shown and "overdue=yes" in shown
    assert "100.0% (1 из 1)" in system.log_in(head["login"], head["password"]).get(shown).text
    table = page.locator(".report table.grid").last
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("ООО «Тишина»")
    expect(table.locator("td[data-label='Просрочен']")).to_have_text("да")
    expect(page.locator("#f-overdue")).to_have_value("yes")

    with page.expect_download() as download:
        page.get_by_role("button", name="CSV").click()
    assert download.value.suggested_filename == "abc.csv"
    with open(download.value.path(), encoding="utf-8-sig") as saved:
        lines = list(csv.reader(saved, delimiter=";"))
    assert lines[0] == ["Компания (ID)", "Название", "Категория", "Последний звонок", "Последнее письмо",
                        "Ответственный", "Просрочен"]
    assert [line[1:3] + line[5:] for line in lines[1:]] == [["ООО «Тишина»", "B", str(seller["id"]), "да"]]


def test_problem_orders_list_a_deal_with_nothing_planned_and_open_it(system, staff, browser_context):
    head = staff("head_of_sales", "Ирина Руководитель")
    seller = staff("manager", "Пётр Менеджер")
    manager = system.log_in(seller["login"], seller["password"])
    work = pipeline(system, [("new", "Новая", "open"), ("done", "Готово", "won")])
    deal = created(manager.post("/deals", json={"pipeline": work, "title": "Окна: Смирнов", "amount": "900"}))
    eventually(lambda: system.admin.get("/reports/problem-orders", params={"responsible_id": seller["id"]})
               .json()["rows"])

    page = browser_context.new_page()
    log_in(page, head)
    page.get_by_role("link", name="Проблемные заказы").click()
    page.locator("#f-responsible_id").select_option(str(seller["id"]))
    page.get_by_role("button", name="Показать").click()
    row = page.locator(f"tr[data-deal='{deal['id']}']")
    expect(row).to_contain_text("Окна: Смирнов")
    expect(row.locator("td[data-label='Этап']")).to_have_text("Новая")
    expect(row.locator(".tag")).to_have_text(["Нет следующего контакта"])
    page.get_by_role("button", name=re.compile(r"^Просрочены задачи \(0\)")).click()
    expect(page.get_by_text("Таких заказов нет")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Нет следующего контакта \(1\)")).click()
    row.locator("td[data-label='Название']").click()
    expect(page).to_have_url(re.compile(rf"#/deal/{deal['id']}$"))


def test_the_calendar_colours_each_booking_by_its_deals_stage_on_a_desktop_and_a_phone(system, staff,
                                                                                       browser_context):
    head = staff("head_of_sales", "Ирина Руководитель")
    work = pipeline(system, [("measure", "Замер", "open"), ("contract", "Договор", "open"), ("paid", "Оплачено", "won")])
    measured, signed = (created(system.admin.post("/deals", json={"pipeline": work, "title": title}))
                        for title in ("Кухня: Зайцева", "Шкаф: Волков"))
    created(system.admin.post(f"/deals/{signed['id']}/move", json={"stage": "contract"}))
    crew = created(system.admin.post("/crews", json={"name": f"Бригада {uuid.uuid4().hex[:6]}", "skill": "замер",
                                                     "leader_name": "Олег", "leader_phone": "+79005550102"}))
    day = TODAY + timedelta(days=2)
    jobs = {}
    for deal, hour, address, client in ((measured, 10, "ул. Лесная, д. 7", "Анна Зайцева"),
                                        (signed, 13, "пр. Мира, д. 15", "Игорь Волков")):
        start = datetime.combine(day, time(hour), tzinfo=MOSCOW)
        jobs[deal["id"]] = created(system.admin.post("/bookings", json={
            "crew_id": crew["id"], "deal_id": deal["id"], "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(), "address": address, "client_name": client,
            "client_phone": "+79001234567"}))

    page = browser_context.new_page()
    log_in(page, head)
    page.goto(f"/console/#/calendar?date={day.isoformat()}&crew={crew['id']}")
    first = page.locator(f".job[data-booking='{jobs[measured['id']]['id']}']")
    second = page.locator(f".job[data-booking='{jobs[signed['id']]['id']}']")
    expect(first).to_contain_text("10:00–11:00")
    expect(first).to_contain_text("ул. Лесная, д. 7")
    expect(first).to_contain_text("Анна Зайцева")
    expect(second).to_contain_text("13:00–14:00")
    expect(second).to_contain_text("Договор")

    def colour(locator) -> str:
        return locator.evaluate("el => getComputedStyle(el).backgroundColor")

    swatch = {code: page.locator(f".legend li[data-stage='{code}'] .swatch") for code in ("measure", "contract")}
    expect(page.locator(".legend")).to_contain_text("Замер")
    expect(page.locator(".legend")).to_contain_text("Договор")
    assert colour(first) == colour(swatch["measure"]) and colour(second) == colour(swatch["contract"])
    assert colour(first) != colour(second)

    page.get_by_role("button", name="Неделя").click()
    expect(page).to_have_url(re.compile(r"view=week"))
    expect(first).to_be_visible()
    expect(page.locator(".calendar .head.day")).to_have_count(7)
    page.get_by_role("button", name="Вперёд").click()
    expect(page.locator(".calendar .head.day")).to_have_count(7)
    expect(first).to_have_count(0)
    page.get_by_role("button", name="Назад").click()
    expect(first).to_be_visible()

    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="День").click()
    expect(first).to_be_visible()
    expect(page.get_by_role("button", name="Меню")).to_be_visible()
    expect(page.locator(".calendar .head.day")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
