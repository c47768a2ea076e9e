"""The inquiry loop in the browser (issue 6, "Done means"): staff pick an alert from the list
and send an inquiry letter to 冷水江市财政局; the finance bureau's data-provider officer
answers with a finding and a file; staff return it once with a reason; the officer answers
again; staff close it.

The demo seed runs the rules over the demo county's year, so the alert list has alerts. If
it has none, the test raises them the way staff would: the rule page's "立即运行全部规则".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

FINANCE = "冷水江市财政局"


@pytest.fixture
def people(site: Any, browser: Any, sign_in: Any) -> Iterator[dict[str, Any]]:
    """One logged-in browser context per persona, kept for the whole loop."""
    contexts = []

    def open_page(username: str, *, code: bool = False) -> Any:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username, code=code, check=False)
        return page

    yield {"staff": open_page("staff", code=True), "officer": open_page("data_provider")}
    for context in contexts:
        context.close()


def state(page: Any) -> str:
    return str(page.get_by_test_id("workflow-state").inner_text())


def click_step(page: Any, name: str, note: str = "") -> None:
    """Press one of the workflow buttons on the letter's page (with its note, if any)."""
    form = page.locator(f"form:has(input[name=transition][value={name}])")
    # Returning names the answers sent back (one answer per alert): here, every one.
    boxes = form.locator("input[name=return_alert]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def answer(page: Any, text: str, finding: str, upload: bool = False) -> None:
    page.get_by_test_id("respond-link").click()
    # One answer per alert of the letter (this letter has one): its text and its finding.
    page.locator("textarea[name^=response_]").first.fill(text)
    page.locator(f"input[name^=finding_][value={finding}]").first.check()
    if upload:
        page.locator("input[name=attachments]").set_input_files(
            files=[
                {
                    "name": "整改说明.pdf",
                    "mimeType": "application/pdf",
                    "buffer": b"%PDF-1.4\n%e2e\n",
                }
            ]
        )
    page.get_by_test_id("respond-submit").click()
    page.wait_for_load_state()


def test_the_inquiry_loop(site: Any, people: dict[str, Any], save_screenshot: Any) -> None:
    staff, officer = people["staff"], people["officer"]

    # 1. Staff open the alert list; with no alerts yet, they run the rules from the rule page.
    staff.goto(site.url + "/budget/alerts/?status=open")
    if staff.get_by_test_id("alert-row").count() == 0:
        staff.goto(site.url + "/budget/rules/")
        staff.get_by_test_id("run-form").locator("button").click()
        staff.wait_for_load_state()
        staff.goto(site.url + "/budget/alerts/?status=open")
    rows = staff.get_by_test_id("alert-row")
    assert rows.count() > 0
    save_screenshot(staff, "budget_alert_list")
    first = rows.first
    explanation = first.locator("td").nth(6).inner_text().strip().rstrip("…")

    # 2. They select it and draft a letter to the finance bureau, then issue it.
    first.locator("input[name=alert]").check()
    staff.get_by_test_id("issue-inquiry").click()
    staff.wait_for_load_state()
    assert explanation[:20] in staff.locator("textarea[name=questions]").input_value()
    staff.locator("select[name=addressee]").select_option(label=f"{FINANCE}（数据提供单位）")
    staff.get_by_test_id("inquiry-create-form").locator("button[type=submit]").click()
    staff.wait_for_load_state()
    assert state(staff) == "待发出"
    number = staff.locator("h1").inner_text().split()[0]
    assert number.startswith("预问〔")
    detail = staff.url
    click_step(staff, "issue")
    assert state(staff) == "待答复"
    assert "答复期限" in staff.get_by_test_id("workflow-timeline").inner_text()

    # 3. The officer sees the letter in their list and answers with a finding and a file.
    officer.goto(site.url + "/budget/inquiries/")
    officer.get_by_test_id("inquiry-table").get_by_text(number).click()
    officer.wait_for_load_state()
    assert explanation[:20] in officer.get_by_test_id("inquiry-letter").inner_text()
    answer(
        officer, "经核实，该事项系工程进度款，已按合同支付，相关凭证已补充完善。", "corrected", True
    )
    assert state(officer) == "已答复"
    assert "整改说明.pdf" in officer.get_by_test_id("inquiry-attachments").inner_text()

    # 4. Staff return it once, with a reason.
    staff.goto(detail)
    assert "已整改纠正" in staff.get_by_test_id("inquiry-finding").inner_text()
    click_step(staff, "return", "请补充施工合同和验收单，并说明付款审批程序。")
    assert state(staff) == "已退回重答"

    # 5. The officer answers again.
    officer.goto(detail)
    assert "请补充施工合同和验收单" in officer.get_by_test_id("workflow-timeline").inner_text()
    answer(officer, "已补充施工合同、验收单和付款审批单，审批程序完整。", "normal")
    assert state(officer) == "已答复"

    # 6. Staff close it; the list shows it closed and the alert is settled.
    staff.goto(detail)
    click_step(staff, "accept", "答复清楚，同意办结。")
    assert state(staff) == "已办结"
    events = staff.get_by_test_id("workflow-event").count()
    assert events == 5  # issue, respond, return, respond, accept
    save_screenshot(staff, "budget_inquiry_closed")
    staff.goto(site.url + "/budget/inquiries/?q=" + number)
    assert staff.get_by_test_id("inquiry-state").first.inner_text() == "已办结"
    staff.get_by_test_id("inquiry-table").get_by_text(number).click()
    staff.get_by_test_id("inquiry-alerts").locator("a").first.click()
    staff.wait_for_load_state()
    assert "经核实无问题" in staff.get_by_test_id("alert-status").inner_text()
    save_screenshot(staff, "budget_alert_detail")
