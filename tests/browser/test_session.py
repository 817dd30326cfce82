"""A session that expires while a form is being filled: back to the login page, then back to the
same form with what was typed still there."""
import uuid

import requests
from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_an_expired_session_returns_to_login_and_keeps_what_was_typed(system, browser_context, staff):
    operator = staff("operator", "Ольга Оператор")
    name = f"Пётр Васильев {uuid.uuid4().hex[:4]}"
    page = browser_context.new_page()
    log_in(page, operator)
    page.get_by_role("button", name="Новая заявка", exact=True).click()
    dialog = page.locator("dialog.modal")
    dialog.locator("#f-name").fill(name)
    dialog.locator("#f-message").fill("Нужны два окна на кухню, позвонить после обеда")

    token = page.evaluate("localStorage.getItem('crm.token')")
    ended = requests.post(f"{system.base_url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"},
                          timeout=10)
    assert ended.status_code == 200, ended.text
    dialog.get_by_role("button", name="Создать заявку").click()

    expect(page.locator("h1")).to_have_text("Вход в CRM")
    expect(page.locator(".alert.warn")).to_contain_text("Сессия истекла")
    page.get_by_label("Логин").fill(operator["login"])
    page.get_by_label("Пароль").fill(operator["password"])
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("h1")).to_have_text("Входящие")  # back where the user was

    page.get_by_role("button", name="Новая заявка", exact=True).click()
    expect(dialog.locator("#f-name")).to_have_value(name)
    expect(dialog.locator("#f-message")).to_have_value("Нужны два окна на кухню, позвонить после обеда")
    dialog.get_by_role("button", name="Создать заявку").click()
    expect(page.locator("#toasts")).to_contain_text("создана")
    [contact] = system.admin.get("/contacts", params={"q": name}).json()["items"]
    [lead] = system.admin.get("/leads", params={"contact_id": contact["id"]}).json()["items"]
    assert lead["message"] == "Нужны два окна на кухню, позвонить после обеда"
