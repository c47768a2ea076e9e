"""The public portal on a phone: no sideways scrolling, deputies listed, and no personal
contact data ever shown (issue 2, items 5, 6 and 8)."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

PHONE_WIDTH = 390  # the viewport of the `phone` fixture
CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def horizontal_overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth")) - PHONE_WIDTH


def test_the_portal_home_fits_a_phone(site: Any, phone: Any, save_screenshot: Any) -> None:
    phone.goto(site.url + "/")
    assert "人大之家" in phone.locator("h1").inner_text()
    assert horizontal_overflow(phone) <= 0
    figures = phone.get_by_test_id("portal-figures").inner_text()
    assert "205" in figures and "392" in figures and "20" in figures
    save_screenshot(phone, "portal_home_phone")


def test_the_deputy_directory_fits_a_phone_and_lists_deputies(
    site: Any, phone: Any, save_screenshot: Any
) -> None:
    phone.goto(site.url + "/")
    phone.locator("main a[href='/portal/deputies/']").first.click()
    phone.wait_for_url("**/portal/deputies/")
    assert horizontal_overflow(phone) <= 0
    names = phone.get_by_test_id("public-deputies").locator("strong").all_inner_texts()
    assert len(names) == 30  # one full page
    known = {name for name, _, _ in site.deputies}
    assert all(CJK_NAME.match(n) and n in known for n in names)
    save_screenshot(phone, "deputy_directory_phone")

    phone.get_by_test_id("public-deputies").locator("a").first.click()
    phone.wait_for_url("**/portal/deputies/*/")
    assert phone.locator("h1").inner_text() == names[0]
    assert horizontal_overflow(phone) <= 0


def test_the_public_directory_never_shows_a_mobile_or_id_number(site: Any, page: Any) -> None:
    personal = {mobile for _, mobile, _ in site.deputies} | {idn for _, _, idn in site.deputies}
    profiles: list[str] = []
    url, pages = site.url + "/portal/deputies/", 0
    while url:
        page.goto(url)
        pages += 1
        assert not MOBILE.search(page.locator("body").inner_text()), f"第 {pages} 页出现了手机号"
        html = page.content()
        assert not any(p in html for p in personal), f"第 {pages} 页出现了手机号或身份证号"
        links = page.get_by_test_id("public-deputies").locator("a")
        profiles.append(links.first.get_attribute("href"))
        following = page.locator(".pagination a", has_text="下一页")
        url = (
            (page.url.split("?")[0] + following.get_attribute("href")) if following.count() else ""
        )
    assert pages == 20  # 597 deputies, 30 a page: every page was read
    for href in profiles:
        page.goto(site.url + href)
        assert not MOBILE.search(page.locator("body").inner_text())
        assert not any(p in page.content() for p in personal)
