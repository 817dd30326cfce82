"""The console in a real browser: Debian's Chromium driven by Playwright (no browser download).
The runner installs Chromium where it is missing (`crm_local.py browser`)."""
import uuid

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.support.system import run_runner

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"width": 390, "height": 844}
expect.set_options(timeout=15_000)  # events take a moment to flow between services on a busy machine


@pytest.fixture(scope="session")
def chromium():
    run_runner("browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(chromium, system):
    context = chromium.new_context(base_url=system.base_url, locale="ru-RU", timezone_id="Europe/Moscow")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def staff(system):
    """Creates a user with a role and returns (login, password, id)."""
    def create(role: str, full_name: str) -> dict:
        login = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
        password = uuid.uuid4().hex
        response = system.admin.post("/users", json={"login": login, "full_name": full_name, "role": role,
                                                     "password": password})
        assert response.status_code == 201, response.text
        return {**response.json(), "password": password}
    return create


def log_in(page: Page, user: dict) -> None:
    page.goto("/")
    page.get_by_label("Логин").fill(user["login"])
    page.get_by_label("Пароль").fill(user["password"])
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("header .who")).to_contain_text(user["full_name"])
