"""Issue 14, "Done means": a staff member walks the pages the issue names on a desktop
(1366×800), and what each page shows is read back against the site's database: every
suggestion list names the lead unit (主办) and the co-units, the unit desk too; the public
budget page's two headline figures stand apart; the alert list's amounts are 元 with
separators and agree with the alerts' rows; the big-screen pass button opens the screen; an
inquiry letter reads as a letter (文号, 主送, the alerts) and comes as Word; the audit log
speaks Chinese and finds 登录; an unknown address shows the project's Chinese 404 page.
Screenshots land in e2e/screenshots/walk-desktop-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from test_walk_phone import PUBLIC_BUDGET, SUGGESTION_UNITS, check_budget_headline, shown_units

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 800}
YUAN = re.compile(r"^-?\d{1,3}(,\d{3})*\.\d{2}$")
CJK = re.compile(r"[\u4e00-\u9fff]")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def desk(site: Any, browser: Any, sign_in: Any) -> Iterator[Any]:
    """`desk(username)`: a logged-in desktop page for that demo account (None: no login)."""
    contexts = []

    def open_page(username: str | None, *, code: bool = False) -> Any:
        context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        if username:
            sign_in(page, username, code=code)
        return page

    yield open_page
    for context in contexts:
        context.close()


def open_(page: Any, url: str, name: str, save_screenshot: Any, *, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, url
    save_screenshot(page, f"walk-desktop-{name}")
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    assert width <= DESKTOP["width"], f"{url}: 页面宽 {width}px"


def check_suggestion_rows(page: Any, units: dict[str, Any], unit_id: int | None = None) -> int:
    """Each row of the suggestion table names the lead unit(s) and the co-units of its
    active assignments; on the unit desk, the unit's own role."""
    table = page.get_by_test_id("suggestion-list")
    assert table.locator("thead").is_visible()  # a table on a desktop, not stacked cards
    rows = table.locator("tbody tr[data-code]").all()
    for row in rows:
        code = row.get_attribute("data-code")
        expected = units.get(code, {"lead": [], "co": [], "units": {}})
        lead, co = shown_units(row)
        assert lead == (set(expected["lead"]) or {"—"}), code
        assert co == set(expected["co"]), code
        if unit_id is not None:
            assert row.get_by_test_id("my-role").inner_text() == expected["units"][str(unit_id)]
    return len(rows)


def test_suggestion_lists_and_the_unit_desk_name_the_lead_unit(
    site: Any, desk: Any, save_screenshot: Any
) -> None:
    units = dict(site.read(SUGGESTION_UNITS))
    staff = desk("staff", code=True)
    open_(staff, site.url + "/suggestions/", "suggestions", save_screenshot)
    assert check_suggestion_rows(staff, units) > 0
    # A list of items with co-units: the co-units are named too.
    with_co = [c for c, v in units.items() if v["co"]]
    assert with_co, "演示数据里没有带协办单位的建议"
    staff.goto(site.url + "/suggestions/?q=" + with_co[0])
    assert check_suggestion_rows(staff, units) == 1
    assert staff.get_by_test_id("co-units").count() == 1

    officer = desk("handling_officer")
    unit_id = site.read(
        "import json\nfrom renda.accounts.models import User\n"
        "print(json.dumps(User.objects.get(username='handling_officer').organization_id))\n"
    )
    open_(officer, site.url + "/suggestions/unit/", "unit-desk", save_screenshot)
    mine = {c for c, v in units.items() if str(unit_id) in v["units"]}
    assert check_suggestion_rows(officer, units, unit_id) == min(30, len(mine))


def test_public_budget_and_alert_amounts(site: Any, desk: Any, save_screenshot: Any) -> None:
    budget = site.read(PUBLIC_BUDGET)
    public = desk(None)
    open_(public, site.url + "/portal/budget/", "public-budget", save_screenshot)
    check_budget_headline(public, Decimal(budget["paid"]))

    amounts = site.read(
        "import json\nfrom renda.budget.models import Alert\n"
        "print(json.dumps({a.pk: str(a.amount) for a in Alert.objects.all()}))\n"
    )
    staff = desk("staff", code=True)
    open_(staff, site.url + "/budget/alerts/", "alerts", save_screenshot)
    rows = staff.get_by_test_id("alert-row").all()
    assert rows, "预警列表是空的"
    for row in rows:
        href = row.locator("a[href*='/budget/alerts/']").first.get_attribute("href")
        pk = href.rstrip("/").rsplit("/", 1)[1]
        shown = row.locator("td.text-end").inner_text().strip()
        assert YUAN.match(shown), f"预警 {pk} 的金额 {shown!r} 没有千分位"
        stored = Decimal(amounts[pk]).quantize(Decimal("0.01"))
        assert Decimal(shown.replace(",", "")) == stored, pk
    rows[0].locator("a[href*='/budget/alerts/']").first.click()
    staff.wait_for_load_state()
    save_screenshot(staff, "walk-desktop-alert-detail")
    assert not re.search(r"(?<![\d,.])\d{7,}\.\d{2}", staff.locator("main").inner_text()), (
        "预警详情里有不带千分位的金额"
    )


def test_the_big_screen_pass_opens_the_screen(
    site: Any, desk: Any, browser: Any, save_screenshot: Any
) -> None:
    staff = desk("staff", code=True)
    open_(staff, site.url + "/budget/dashboard/", "dashboard", save_screenshot)
    staff.get_by_role("button", name="会议室大屏链接").click()
    staff.wait_for_url("**/budget/bigscreen/pass/**")
    link = staff.get_by_test_id("bigscreen-pass-link").input_value()
    assert "pass=" in link and "csrfmiddlewaretoken" not in link
    save_screenshot(staff, "walk-desktop-bigscreen-pass")
    room = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    try:
        screen = room.new_page()
        response = screen.goto(link)
        assert response is not None and response.status == 200
        assert "/accounts/login/" not in screen.url
        screen.wait_for_load_state("networkidle")
        save_screenshot(screen, "walk-desktop-bigscreen")
    finally:
        room.close()


INQUIRY = """
import json
from renda.budget.models import Inquiry
i = Inquiry.objects.order_by("-id").first()
print(json.dumps(i and {"pk": i.pk, "number": i.number, "title": i.title,
    "addressee": i.addressee.name, "alerts": [a.alert_id for a in i.answers.all()]}))
"""


def test_an_inquiry_letter_reads_as_a_letter(site: Any, desk: Any, save_screenshot: Any) -> None:
    staff = desk("staff", code=True)
    if site.read(INQUIRY) is None:
        # No letter in the demo yet: draft one on two alerts, as staff would.
        staff.goto(site.url + "/budget/alerts/?status=open")
        rows = staff.get_by_test_id("alert-row")
        for i in range(min(2, rows.count())):
            rows.nth(i).locator("input[name=alert]").check()
        staff.get_by_test_id("issue-inquiry").click()
        staff.wait_for_load_state()
        staff.locator("select[name=addressee]").select_option(
            label="冷水江市财政局（数据提供单位）"
        )
        staff.get_by_test_id("inquiry-create-form").locator("button[type=submit]").click()
        staff.wait_for_load_state()
    inquiry = site.read(INQUIRY)
    assert inquiry is not None
    open_(
        staff,
        f"{site.url}/budget/inquiries/{inquiry['pk']}/",
        "inquiry",
        save_screenshot,
    )
    assert inquiry["number"] in staff.locator("h1").inner_text()
    letter = staff.get_by_test_id("inquiry-letter").inner_text()
    assert inquiry["addressee"] in letter and inquiry["title"] in letter
    word = staff.request.get(f"{site.url}/budget/inquiries/{inquiry['pk']}/letter.docx")
    assert word.status == 200 and word.headers["content-type"].startswith(DOCX)
    # Printed, the page is the letter alone: no status panel, no menu.
    staff.emulate_media(media="print")
    save_screenshot(staff, "walk-desktop-inquiry-print")
    assert staff.get_by_test_id("inquiry-letter").is_visible()
    assert not staff.get_by_test_id("status-panel").is_visible()
    assert not staff.locator("nav").first.is_visible()


def test_the_audit_log_speaks_chinese_and_the_404_page(
    site: Any, desk: Any, save_screenshot: Any
) -> None:
    labels = site.read(
        "import json\nfrom renda.core.models import AuditEvent\n"
        "from renda.core.event_labels import event_label\n"
        "codes = AuditEvent.objects.values_list('action', flat=True).distinct()\n"
        "print(json.dumps({c: event_label(c) for c in codes}))\n"
    )
    auditor = desk("audit_admin", code=True)
    open_(auditor, site.url + "/audit/", "audit-log", save_screenshot)
    rows = auditor.locator("main table tbody tr").all()
    assert rows
    for row in rows:
        cell = row.locator("td").nth(3)
        code = cell.locator("code").inner_text().strip()
        label = cell.inner_text().replace(code, "").strip()
        assert label == labels[code] and CJK.search(label) and label != code, code
    auditor.locator("main form input[name=q]").fill("登录")
    auditor.locator("main form[method=get] button").click()
    auditor.wait_for_load_state()
    save_screenshot(auditor, "walk-desktop-audit-login")
    found = auditor.locator("main table tbody tr td:nth-child(4)").all_inner_texts()
    assert found and all("登录" in text for text in found), found[:5]

    open_(auditor, site.url + "/no-such-page/", "404", save_screenshot, status=404)
    assert "页面不存在" in auditor.locator("main").inner_text()
    assert "Page not found" not in auditor.content()
