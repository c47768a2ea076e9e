"""Suggestions and deputies on a phone (issue 14 item 8): every table the handling officer and
the deputy use reads at 390×844 — below the md breakpoint the tables stack into one card per
row, so no cell is squeezed into a column a few characters wide (the unit desk used to wrap
titles into four-character columns). Screenshots land in e2e/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from renda.core.demo_data import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}

# Every visible table cell with text that is narrower than four characters of body text.
NARROW_CELLS = """() => {
  const em = parseFloat(getComputedStyle(document.body).fontSize);
  return [...document.querySelectorAll('main table td, main table th')]
    .filter(c => c.offsetParent !== null && c.textContent.trim())
    .map(c => ({width: Math.round(c.getBoundingClientRect().width), text: c.textContent.trim().slice(0, 20)}))
    .filter(c => c.width < 4 * em);
}"""


@pytest.fixture
def login_phone(site: Any, browser: Any) -> Iterator[Any]:
    contexts = []

    def open_page(username: str) -> Any:
        context = browser.new_context(
            locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(site.url + "/accounts/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state()
        return page

    yield open_page
    for context in contexts:
        context.close()


def check(page: Any, url: str, name: str, save_screenshot: Any, *, tables: bool = True) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    if tables:
        assert page.locator("main table").count() > 0, f"{url}: no table to check"
    assert page.evaluate(NARROW_CELLS) == [], url
    assert int(page.evaluate("document.documentElement.scrollWidth")) <= PHONE["width"], url
    save_screenshot(page, name)


def test_the_handling_officers_tables_read_on_a_phone(
    site: Any, login_phone: Any, save_screenshot: Any
) -> None:
    page = login_phone("handling_officer")
    check(page, site.url + "/suggestions/unit/", "phone-unit-desk", save_screenshot)
    # The desk shows the lead unit and marks the unit's role in each row.
    assert page.get_by_test_id("lead-units").count() > 0
    assert page.get_by_test_id("my-role").count() > 0
    page.goto(site.url + "/suggestions/unit/")
    page.locator("[data-testid=suggestion-list] tbody a").first.click()
    page.wait_for_load_state()
    check(page, page.url, "phone-unit-detail", save_screenshot, tables=False)


def test_the_deputys_pages_read_on_a_phone(
    site: Any, login_phone: Any, save_screenshot: Any
) -> None:
    page = login_phone("deputy")
    check(page, site.url + "/suggestions/me/", "phone-deputy-home", save_screenshot, tables=False)
    check(page, site.url + "/suggestions/duty/me/", "phone-deputy-duty", save_screenshot)
    check(page, site.url + "/deputies/me/", "phone-deputy-record", save_screenshot, tables=False)
    page.goto(site.url + "/suggestions/me/")
    page.get_by_role("link", name="年度履职报告").click()
    page.wait_for_load_state()
    check(page, page.url, "phone-deputy-report", save_screenshot)
