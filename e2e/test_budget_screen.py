"""The big-screen pass in the browser (issue 14, item 6): the button on the dashboard used
to sit inside the year selector's GET form, so a click reloaded the dashboard with the CSRF
token in the URL. Now it posts, shows the link, and the link opens the screen without a
login."""

from __future__ import annotations

from typing import Any

import pytest

from renda.core.demo_data import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 800}


def staff_page(site: Any, browser: Any, fresh_totp: Any) -> tuple[Any, Any]:
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(site.url + "/accounts/login/")
    page.locator("input[name=username]").fill("staff")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/accounts/otp/verify/**")
    page.locator("input[name=token]").fill(f"{fresh_totp('staff'):06d}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return context, page


def test_the_pass_button_issues_a_link_that_opens_the_screen(
    site: Any, browser: Any, fresh_totp: Any, save_screenshot: Any
) -> None:
    context, page = staff_page(site, browser, fresh_totp)
    try:
        page.goto(site.url + "/budget/dashboard/")
        save_screenshot(page, "budget-dashboard-staff")
        page.get_by_role("button", name="会议室大屏链接").click()
        page.wait_for_url("**/budget/bigscreen/pass/**")
        assert "csrfmiddlewaretoken" not in page.url
        link = page.get_by_test_id("bigscreen-pass-link").input_value()
        assert "pass=" in link and "csrfmiddlewaretoken" not in link
        save_screenshot(page, "budget-bigscreen-pass")
        # The meeting-room computer has no session: a fresh context opens the link.
        screen = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
        try:
            room = screen.new_page()
            response = room.goto(link)
            assert response is not None and response.status == 200
            assert "/accounts/login/" not in room.url
            room.wait_for_load_state("networkidle")
            save_screenshot(room, "budget-bigscreen-room")
        finally:
            screen.close()
        # And "open here" takes the staff member to the same screen.
        page.get_by_test_id("bigscreen-pass-open").click()
        page.wait_for_url("**/budget/bigscreen/?**")
    finally:
        context.close()
