"""A member of the standing committee, on a phone, reads what is before the committee in the
demo county: the 市人民政府's appointment list with each nominee's exam status, and the report
of the released sitting (read back against the rows in the site's database), then downloads
the report in Word. Screenshots: e2e/screenshots/committee-exams-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from docx import Document

from renda.core.demo_data import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}

DEMO_ROWS = """
import json
from renda.exams.models import AppointmentList, Attempt, ExamSitting
from renda.exams.services.appointments import statuses
lists = {}
for x in AppointmentList.objects.exclude(state="draft"):
    rows = statuses(x.nominations.select_related("user").order_by("order"))
    lists[x.title] = [[r.name, r.label] for r in rows]
sittings = {}
for s in ExamSitting.objects.filter(enrolments__attempt__released_at__isnull=False).distinct():
    rows = []
    for e in s.enrolments.select_related("user").order_by("seat"):
        a = Attempt.objects.filter(enrolment=e).first()
        if a is None or a.state == "not_started":
            rows.append([e.user.name, "缺考", None])
        else:
            rows.append([e.user.name, "合格" if a.passed else "不合格", str(a.total_score)])
    sittings[str(s.pk)] = {"title": s.title, "rows": rows}
print(json.dumps({"lists": lists, "sittings": sittings}))
"""


def _score(value: str | None) -> str:
    """A score as the page prints it (two decimals, none for a whole number)."""
    if value is None:
        return "—"
    number = float(value)
    return f"{number:.0f}" if number.is_integer() else f"{number:.2f}"


def test_a_member_reads_the_lists_and_the_sitting_report_on_a_phone(
    site: Any, browser: Any, fresh_totp: Any, save_screenshot: Any
) -> None:
    demo = site.read(DEMO_ROWS)
    assert demo["lists"], "演示数据中应有提请常委会的任命名单"
    assert demo["sittings"], "演示数据中应有已发布成绩的考试"
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto(site.url + "/accounts/login/")
        page.locator("input[name=username]").fill("sc_member")
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url("**/accounts/otp/verify/**")
        page.locator("input[name=token]").fill(f"{fresh_totp('sc_member'):06d}")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        # from the workbench's top bar, as a member finds it
        page.goto(site.url + "/exams/committee/")
        save_screenshot(page, "committee-exams-home")
        assert int(page.evaluate("document.documentElement.scrollWidth")) <= PHONE["width"]
        sections = page.get_by_test_id("committee-list")
        shown = {}
        for i in range(sections.count()):
            section = sections.nth(i)
            title = section.locator(".card-header .fw-semibold").inner_text().strip()
            shown[title] = [
                [
                    row.locator(".fw-semibold").first.inner_text().strip(),
                    row.get_by_test_id("committee-status").inner_text().strip(),
                ]
                for row in section.get_by_test_id("committee-nominee").all()
            ]
        assert shown == demo["lists"]
        assert page.get_by_test_id("committee-sitting").count() == len(demo["sittings"])
        # the released sitting's report, row by row against the database
        pk, expected = next(iter(demo["sittings"].items()))
        page.goto(f"{site.url}/exams/committee/sittings/{pk}/")
        save_screenshot(page, "committee-exams-report")
        assert int(page.evaluate("document.documentElement.scrollWidth")) <= PHONE["width"]
        rows = [
            [cell.inner_text().strip() for cell in row.locator("td").all()]
            for row in page.get_by_test_id("results-row").all()
        ]
        assert [[r[1], r[4], r[3]] for r in rows] == [
            [name, status, _score(total)] for name, status, total in expected["rows"]
        ]
        counts = page.get_by_test_id("results-counts").inner_text()
        passed = sum(1 for r in expected["rows"] if r[1] == "合格")
        assert f"应考 {len(expected['rows'])} 人" in counts and f"合格 {passed} 人" in counts
        with page.expect_download() as download:
            page.get_by_test_id("report-docx").click()
        document = Document(str(download.value.path()))
        table = [[c.text for c in row.cells] for row in document.tables[0].rows]
        assert [[r[1], r[4]] for r in table[1:]] == [[n, s] for n, s, _ in expected["rows"]]
        assert expected["title"] in "\n".join(p.text for p in document.paragraphs)
    finally:
        context.close()
