"""The audit trail on the deal card: a controller sees who moved the deal, from which stage to which;
a manager's card has no such panel."""
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_console_reports import created, pipeline
from tests.support.system import eventually


def test_a_controller_reads_on_the_deal_card_who_moved_it_and_from_where(system, staff, browser_context, chromium):
    flow = pipeline(system, [("new", "Новая", "open"), ("measure", "Замер", "open")])
    seller = staff("manager", "Ольга Менеджер")
    manager = system.log_in(seller["login"], seller["password"])
    deal = created(manager.post("/deals", json={"pipeline": flow, "title": "Балкон: Сидоров"}))
    created(manager.post(f"/deals/{deal['id']}/move", json={"stage": "measure"}))
    eventually(lambda: [e for e in system.admin.get("/audit", params={"entity": "deal", "id": deal["id"]}).json()["items"]
                        if e["action"] == "stage_changed"])

    page = browser_context.new_page()
    log_in(page, staff("controller", "Игорь Контролёр"))
    page.goto(f"/#/deal/{deal['id']}")
    journal = page.locator("#audit")
    expect(journal.get_by_role("heading", name="Журнал изменений")).to_be_visible()
    moved = journal.locator("tr", has_text="stage_changed")
    expect(moved).to_contain_text("Ольга Менеджер")
    expect(moved).to_contain_text("new → measure")

    managers = chromium.new_context(base_url=system.base_url, locale="ru-RU")
    other = managers.new_page()
    log_in(other, seller)
    other.goto(f"/#/deal/{deal['id']}")
    expect(other.get_by_role("heading", name="Балкон: Сидоров", exact=False)).to_be_visible()
    expect(other.get_by_role("heading", name="История")).to_be_visible()
    expect(other.locator("#audit")).to_have_count(0)
    managers.close()
