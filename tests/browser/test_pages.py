"""Every page of every role's menu opens without a script error or a failed request, on a
desktop and, for the crew, on a phone; and the pages carry their security headers."""
import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in

ROLES = ["admin", "head_of_sales", "manager", "operator", "controller", "crew_member"]


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_page_opens_cleanly(system, browser_context, staff, role):
    user = staff(role, f"Тест {role}")
    page = browser_context.new_page()
    if role == "crew_member":
        page.set_viewport_size(PHONE)
    problems = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    log_in(page, user)
    links = page.locator("header nav.menu a")
    expect(links.first).to_be_attached()
    pages = links.evaluate_all("links => links.map(link => [link.textContent, link.getAttribute('href')])")
    assert pages, f"{role} sees no pages"
    for title, href in pages:
        page.goto(f"/console/{href}")
        expect(page.locator("main h1")).to_be_visible()
        expect(page.locator("main .loading")).to_have_count(0)
        errors = page.locator("main .alert.error:visible").all_inner_texts()
        assert not errors and not problems, f"{role} on «{title}» ({href}): {errors} {problems}"


def test_the_console_is_served_with_its_security_headers(system):
    home = requests.get(system.base_url, timeout=10)
    assert home.url.endswith("/console/") and "<title>CRM" in home.text
    for path in ("/console/", "/console/js/main.js"):
        response = requests.get(f"{system.base_url}{path}", timeout=10)
        assert response.status_code == 200, path
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert response.headers["Cache-Control"] == "no-cache"
