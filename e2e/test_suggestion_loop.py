"""The whole suggestion loop in the browser (issue 3, "Done means"): the deputy submits on a
phone; staff register and assign to the wrong unit; that unit returns it; staff reassign with a
co-handling unit; the co-handling unit gives its opinion; the lead unit replies; the deputy is
not satisfied; the unit re-handles and replies again; the deputy is satisfied and it closes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from renda.core.demo_data import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
SECOND_OFFICER = "e2e_jtj"
MAKE_OFFICER = f"""
from renda.accounts import services
from renda.core.roles import Role
from renda.accounts.models import User
from renda.core.models import Organization
if not User.objects.filter(username="{SECOND_OFFICER}").exists():
    services.create_user(actor=None, username="{SECOND_OFFICER}", name="交通局经办人",
        role=Role.HANDLING_OFFICER, password="{DEMO_PASSWORD}",
        organization=Organization.objects.get(code="ZF-JTJ"), must_change_password=False)
"""
TITLE = "关于在冷水江街道第二小学门口增设信号灯的建议"


@pytest.fixture
def people(site: Any, browser: Any, sign_in: Any) -> Iterator[dict[str, Any]]:
    """One logged-in browser context per persona, kept for the whole loop."""
    site.manage("shell", "-v0", "-c", MAKE_OFFICER)
    contexts = []

    def open_page(username: str, *, phone: bool = False, code: bool = False) -> Any:
        options: dict[str, Any] = {"locale": "zh-CN"}
        options.update(
            {"viewport": PHONE, "is_mobile": True, "has_touch": True}
            if phone
            else {"viewport": {"width": 1280, "height": 900}}
        )
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username, code=code, check=False)
        return page

    yield {
        "deputy": open_page("deputy", phone=True),
        "staff": open_page("staff", code=True),
        "lead": open_page("handling_officer"),
        "other": open_page(SECOND_OFFICER),
    }
    for context in contexts:
        context.close()


def state(page: Any) -> str:
    return str(page.get_by_test_id("workflow-state").inner_text())


def submit(page: Any, action: str) -> None:
    page.locator(f"form[action$='/{action}/'] button[type=submit]").click()
    page.wait_for_load_state()


def test_the_whole_suggestion_loop(site: Any, people: dict[str, Any], save_screenshot: Any) -> None:
    deputy, staff, lead, other = people["deputy"], people["staff"], people["lead"], people["other"]

    # 1. The deputy writes and submits on a phone.
    deputy.goto(site.url + "/suggestions/me/")
    deputy.get_by_test_id("new-suggestion").click()
    deputy.locator("input[name=title]").fill(TITLE)
    deputy.locator("textarea[name=content]").fill(
        "学校门口上下学时段车流量大，学生过马路危险，建议增设信号灯和护学岗。"
    )
    deputy.locator("main form button[type=submit]").first.click()
    deputy.get_by_test_id("submit-suggestion").click()
    assert state(deputy) == "待登记"
    assert int(deputy.evaluate("document.documentElement.scrollWidth")) <= PHONE["width"]
    detail = deputy.url

    # 2. Staff register it and assign it — to the wrong unit.
    staff.goto(detail)
    staff.locator("select[name=field]").select_option("urban")
    submit(staff, "register")
    assert state(staff) == "待交办"
    staff.locator("select[name=lead_unit]").select_option(label="冷水江市交通运输局")
    submit(staff, "assign")
    assert state(staff) == "办理中"

    # 3. That unit returns it within the window, with a reason.
    other.goto(site.url + "/suggestions/unit/")
    other.get_by_text(TITLE).click()
    other.locator("form[action$='/return/'] textarea[name=reason]").fill(
        "信号灯设置属住建和交警部门职责"
    )
    submit(other, "return")
    assert TITLE not in other.get_by_test_id("suggestion-list").inner_text()  # no longer ours

    # 4. Staff reassign: 住建局 leads, 交通运输局 co-handles.
    staff.goto(detail)
    assert state(staff) == "退回待重新交办"
    staff.locator("select[name=lead_unit]").select_option(label="冷水江市住房和城乡建设局")
    staff.locator("select[name=co_units]").select_option(label="冷水江市交通运输局")
    submit(staff, "assign")
    assert state(staff) == "办理中"

    # 5. The co-handling unit sends its opinion to the lead unit.
    other.goto(detail)
    other.locator("textarea[name=opinion]").fill("同意配合，负责施工期间交通组织。")
    submit(other, "opinion")

    # 6. The lead unit replies (B: planned).
    lead.goto(site.url + "/suggestions/unit/")
    lead.get_by_text(TITLE).click()
    assert "同意配合" in lead.content()
    lead.locator("input[name=reply_class][value=B]").check()
    lead.locator("form[action$='/reply/'] textarea[name=content]").fill(
        "已列入今年城区交通设施计划，预计三个月内安装。"
    )
    lead.locator("input[name=signer]").fill("刘局长")
    submit(lead, "reply")
    assert state(lead) == "已答复待评价"

    # 7. The deputy is not satisfied: re-handling.
    deputy.goto(site.url + "/suggestions/me/")
    deputy.get_by_test_id("to-rate").get_by_text(TITLE).click()
    deputy.locator("input[name=rating][value=dissatisfied]").check()
    deputy.locator("form[action$='/rate/'] textarea[name=comment]").fill("时间太长，开学前必须解决")
    deputy.get_by_test_id("rate-submit").click()
    assert state(deputy) == "重新办理"

    # 8. The unit re-handles and replies again (A: solved).
    lead.goto(detail)
    lead.locator("input[name=reply_class][value=A]").check()
    lead.locator("form[action$='/reply/'] textarea[name=content]").fill(
        "信号灯已于开学前安装并投入使用。"
    )
    lead.locator("input[name=signer]").fill("刘局长")
    submit(lead, "reply")

    # 9. The deputy is satisfied: closed.
    deputy.goto(detail)
    deputy.locator("input[name=rating][value=satisfied]").check()
    deputy.get_by_test_id("rate-submit").click()
    assert state(deputy) == "已办结"
    events = deputy.get_by_test_id("workflow-event").count()
    assert events == 9  # submit, register, assign, return, assign, reply, rate, reply, rate
    save_screenshot(deputy, "suggestion_loop_closed_phone")
