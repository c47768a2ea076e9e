"""Staff log in through the second factor and reach the workbench (issue 2, item 8).

Selectors use form field names, URLs and data-testid attributes rather than visible labels,
so that rewording a page does not break the test; the Chinese the user reads is asserted
where it matters (the workbench and its cards)."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.oath import totp

from renda.core.demo_data import DEMO_PASSWORD, DEMO_TOTP_KEY

pytestmark = pytest.mark.e2e


def log_in(site: Any, page: Any, username: str) -> None:
    page.goto(site.url + "/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/accounts/otp/verify/**")


def enter_code(page: Any, code: int) -> None:
    page.locator("input[name=token]").fill(f"{code:06d}")
    page.locator("main form button[type=submit]").click()


def test_staff_log_in_with_a_totp_code_and_see_the_workbench(
    site: Any, page: Any, save_screenshot: Any, fresh_totp: Any
) -> None:
    log_in(site, page, "staff")
    enter_code(page, fresh_totp("staff"))

    page.wait_for_url("**/workbench/")
    assert "工作台" in page.locator("h1").inner_text()
    cards = page.get_by_test_id("workbench-cards").inner_text()
    assert "在任市级代表" in cards and "205" in cards
    assert "在任乡镇代表" in cards and "392" in cards
    assert "代表工作站点" in cards and "20" in cards
    assert save_screenshot(page, "workbench").stat().st_size > 10_000


def test_a_wrong_code_keeps_staff_out_of_the_workbench(site: Any, page: Any) -> None:
    log_in(site, page, "sc_member")
    enter_code(page, (totp(DEMO_TOTP_KEY) + 500_000) % 1_000_000)
    assert page.locator(".invalid-feedback").first.is_visible()
    assert "/accounts/otp/verify/" in page.url
    page.goto(site.url + "/workbench/")
    assert "/accounts/otp/verify/" in page.url
