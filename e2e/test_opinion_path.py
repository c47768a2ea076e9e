"""A constituent's opinion from QR code to rating, in the browser (issue 4, "Done means"):
the constituent opens a station's page on a phone, "scans" its QR code (opens the URL the code
encodes), submits an opinion and gets a tracking code; staff assign it to the housing bureau;
the bureau's officer replies; the constituent sees the reply on the tracking page and rates it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from renda.core.demo_data import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
CONTENT = "解放路与人民路交叉口的路灯坏了一个多月，晚上过马路很危险，请尽快修复。"
REPLY = "经现场查看，已更换路灯控制箱，路灯于本周恢复照明。"
UNIT = "冷水江市住房和城乡建设局"  # the demo handling officer's unit


def overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth")) - PHONE["width"]


@pytest.fixture
def contexts(browser: Any) -> Iterator[Any]:
    opened: list[Any] = []

    def new(*, phone: bool) -> Any:
        options: dict[str, Any] = {"locale": "zh-CN"}
        options.update(
            {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
            if phone
            else {"viewport": {"width": 1280, "height": 900}}
        )
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        opened.append(context)
        return context.new_page()

    yield new
    for context in opened:
        context.close()


def log_in(site: Any, page: Any, username: str, *, code: Any = None) -> None:
    """Log in; `code(username)` gives the TOTP code when the account needs one."""
    page.goto(site.url + "/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()
    if code is None:
        page.wait_for_url("**/workbench/")
        return
    page.wait_for_url("**/accounts/otp/verify/**")
    for _ in range(2):
        page.locator("input[name=token]").fill(f"{code(username):06d}")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        if "/accounts/otp/verify/" not in page.url:
            return
        # The code of this 30-second step was already used (another test logged in as the
        # same demo account a moment ago): a TOTP code is accepted once. Wait for the next.
        time.sleep(31 - time.time() % 30)
    raise AssertionError("动态口令验证失败")


def test_a_constituent_follows_an_opinion_from_qr_code_to_rating(
    site: Any, contexts: Any, save_screenshot: Any, fresh_totp: Any
) -> None:
    # 1. The constituent, on a phone: the directory, a station, its QR code.
    phone = contexts(phone=True)
    phone.goto(site.url + "/stations/public/")
    assert overflow(phone) <= 0
    phone.get_by_test_id("township-diagram").locator("a").first.click()
    phone.wait_for_url("**/stations/public/*/")
    station_name = phone.get_by_test_id("station-name").inner_text()
    qr = phone.get_by_test_id("station-qr")
    assert qr.locator("svg").count() == 1
    target = qr.get_attribute("data-qr-url")
    assert target and target.endswith("/opinion/?via=qr")
    assert overflow(phone) <= 0
    save_screenshot(phone, "station_public_phone")

    # 2. "Scanning" opens the URL the code holds: the form for this station.
    phone.goto(target)
    assert phone.get_by_test_id("form-station").inner_text() == station_name
    phone.locator("select[name=category]").select_option("construction")
    phone.locator("textarea[name=content]").fill(CONTENT)
    phone.locator("input[name=location]").fill("解放路与人民路交叉口")
    phone.locator("input[name=contact_phone]").fill("13912345678")
    assert overflow(phone) <= 0
    save_screenshot(phone, "opinion_form_phone")
    phone.get_by_test_id("submit-opinion").click()
    phone.wait_for_url("**/stations/public/track/*/")
    code = phone.get_by_test_id("tracking-code").inner_text().strip()
    assert len(code.replace("-", "")) == 12
    rating_code = phone.get_by_test_id("rating-code").inner_text().strip()
    assert len(rating_code.replace("-", "")) == 8
    assert "13912345678" not in phone.content()
    tracking_url = phone.url
    save_screenshot(phone, "opinion_tracking_phone")

    # 3. Staff find it by the code the constituent reads out (the list shows only its
    #    number, never the code) and assign it to the housing bureau.
    staff = contexts(phone=False)
    log_in(site, staff, "staff", code=fresh_totp)
    staff.goto(site.url + "/stations/opinions/?q=" + code)
    staff.get_by_test_id("opinion-table").locator("a").first.click()
    assert CONTENT in staff.get_by_test_id("opinion-content").inner_text()
    assign = staff.get_by_test_id("assign-form")
    assign.locator("select[name=unit]").select_option(label=UNIT)
    assign.locator("button[type=submit]").click()
    staff.wait_for_load_state()
    assert "承办单位办理中" in staff.get_by_test_id("workflow-state").inner_text()

    # 4. The bureau's officer replies.
    officer = contexts(phone=False)
    log_in(site, officer, "handling_officer")
    officer.goto(site.url + "/stations/opinions/?q=" + code)
    officer.get_by_test_id("opinion-table").locator("a").first.click()
    reply = officer.get_by_test_id("reply-form")
    reply.locator("select[name=reply_class]").select_option("A")
    reply.locator("textarea[name=reply]").fill(REPLY)
    reply.locator("button[type=submit]").click()
    officer.wait_for_load_state()
    assert "已答复待评价" in officer.get_by_test_id("workflow-state").inner_text()

    # 5. The constituent sees the reply and rates it.
    phone.goto(tracking_url)
    assert REPLY in phone.get_by_test_id("track-reply").inner_text()
    rate = phone.get_by_test_id("rate-form")
    rate.locator("input[name=rating][value=satisfied]").check()
    rate.locator("input[name=rating_code]").fill(rating_code)
    rate.get_by_test_id("submit-rating").click()
    phone.wait_for_load_state()
    assert "满意" in phone.get_by_test_id("track-rating").inner_text()
    assert "已办结" in phone.locator("main").inner_text()
    assert overflow(phone) <= 0
    save_screenshot(phone, "opinion_rated_phone")
