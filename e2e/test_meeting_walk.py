"""Issue 15, "Done means": a congress session in the browser. Staff create it and send the
notice; three deputies answer on their phones (one asks for leave, staff approve it); the
meeting opens and two deputies check in with the venue's code; the meeting closes and each
deputy's duty page shows what happened to them (出席 / 请假); the annual report counts the
meeting. Every figure on a page is read back against the site's database.
Screenshots land in e2e/screenshots/meeting-*.png."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Two more deputies of the city congress get accounts the way staff open them
# (create_deputy_account), with the demo password so the browser can log in as them; the
# demo's own deputy account is the third.
OPEN_ACCOUNTS = """
import json
from renda.accounts.models import User
from renda.core.demo_data import DEMO_PASSWORD
from renda.deputies.models import Deputy
from renda.deputies.services.accounts import create_deputy_account
staff = User.objects.get(username="staff")
mine = Deputy.objects.get(user__username="deputy")
others = (Deputy.objects.filter(term=mine.term, status="active", user__isnull=True)
          .exclude(mobile="").order_by("pk")[:2])
names = []
for d in others:
    user = create_deputy_account(actor=staff, deputy=d)
    user.set_password(DEMO_PASSWORD)
    user.must_change_password = False
    user.save()
    names.append([user.username, d.name, d.pk])
print(json.dumps({"term": mine.term_id, "deputy": ["deputy", mine.name, mine.pk], "others": names}))
"""


@pytest.fixture(scope="module")
def people(site: Any) -> dict[str, Any]:
    return dict(site.read(OPEN_ACCOUNTS))


@pytest.fixture
def open_as(site: Any, browser: Any, sign_in: Any) -> Iterator[Any]:
    """`open_as(username, phone=...)`: a logged-in page for that account; staff pass TOTP."""
    contexts = []

    def open_page(username: str, *, phone: bool = True, code: bool = False) -> Any:
        if phone:
            context = browser.new_context(
                locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
            )
        else:
            context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username, code=code)
        return page

    yield open_page
    for context in contexts:
        context.close()


def fits_phone(page: Any, name: str, save_screenshot: Any) -> None:
    save_screenshot(page, f"meeting-{name}")
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    assert width <= PHONE["width"], f"{page.url}: 页面宽 {width}px"


def meeting_rows(site: Any, pk: int) -> dict[str, Any]:
    return dict(
        site.read(
            "import json\n"
            "from renda.meetings.models import Meeting\n"
            f"m = Meeting.objects.get(pk={pk})\n"
            "rows = {str(x.deputy_id): [x.response, x.leave, x.attendance, hasattr(x, 'checkin')]"
            " for x in m.members.select_related('checkin')}\n"
            "print(json.dumps({'state': m.state, 'total': m.members.filter(role='attend').count(),"
            " 'members': rows}))\n"
        )
    )


def test_a_congress_session_from_notice_to_duty_pages(
    site: Any, open_as: Any, save_screenshot: Any, people: dict[str, Any]
) -> None:
    deputy = people["deputy"]
    (u1, name1, pk1), (u2, name2, pk2) = people["others"]
    # Staff create the session starting in ten minutes: the check-in window is open.
    staff = open_as("staff", phone=False, code=True)
    staff.goto(site.url + "/meetings/new/")
    staff.locator("select[name=kind]").select_option("congress")
    staff.locator("select[name=term]").select_option(str(people["term"]))
    staff.locator("input[name=number]").fill("9")
    start = dt.datetime.now(SHANGHAI) + dt.timedelta(minutes=10)
    staff.locator("input[name=start_at]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    staff.locator("input[name=end_at]").fill(
        (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    )
    staff.locator("input[name=venue]").fill("市人民会堂")
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(re.compile(r"/meetings/\d+/$"))
    pk = int(staff.url.rstrip("/").rsplit("/", 1)[1])
    rows = meeting_rows(site, pk)
    assert rows["state"] == "draft"
    for member in (deputy[2], pk1, pk2):
        assert str(member) in rows["members"], "三位代表都应是应出席人员"
    staff.get_by_role("button", name="发出会议通知").click()
    staff.wait_for_load_state()
    assert meeting_rows(site, pk)["state"] == "notified"

    # Three deputies answer on their phones: two confirm, one asks for leave.
    phones = {}
    for username in ("deputy", u1, u2):
        page = open_as(username)
        page.goto(site.url + f"/meetings/mine/{pk}/")
        phones[username] = page
    phones["deputy"].get_by_test_id("confirm").click()
    phones["deputy"].wait_for_load_state()
    assert phones["deputy"].get_by_test_id("my-response").inner_text() == "确认参会"
    fits_phone(phones["deputy"], "deputy-confirmed", save_screenshot)
    phones[u1].get_by_test_id("leave").click()
    phones[u1].locator("textarea[name=reason]").fill("参加省里培训，无法到会")
    phones[u1].locator("main form button[type=submit]").click()
    phones[u1].wait_for_load_state()
    fits_phone(phones[u1], "deputy-leave", save_screenshot)
    phones[u2].get_by_test_id("confirm").click()
    phones[u2].wait_for_load_state()

    # Staff see who has not answered, and approve the leave.
    rows = meeting_rows(site, pk)
    unanswered = sum(1 for r in rows["members"].values() if r[0] == "")
    staff.goto(site.url + f"/meetings/{pk}/")
    assert staff.get_by_test_id("unanswered-count").inner_text() == str(unanswered)
    staff.goto(site.url + f"/meetings/{pk}/members/?show=unanswered")
    staff.goto(site.url + f"/meetings/{pk}/members/?show=leave")
    row = staff.get_by_test_id("member-list").locator("tbody tr")
    assert row.count() == 1 and name1 in row.inner_text()
    row.get_by_role("button", name="准假", exact=True).click()
    staff.wait_for_load_state()
    assert meeting_rows(site, pk)["members"][str(pk1)][1] == "approved"

    # The meeting opens; the venue screen shows the code; two deputies check in with it.
    staff.goto(site.url + f"/meetings/{pk}/")
    staff.get_by_role("button", name="宣布开会").click()
    staff.wait_for_load_state()
    staff.goto(site.url + f"/meetings/{pk}/venue/")
    save_screenshot(staff, "meeting-venue")
    link = staff.get_by_test_id("venue-code").get_attribute("data-checkin-url")
    assert link and "code=" in link
    for username in ("deputy", u2):
        page = phones[username]
        page.goto(link)
        fits_phone(page, f"check-in-{username}", save_screenshot)
        page.get_by_role("button", name="签到").click()
        page.wait_for_load_state()
        assert "签到成功" in page.inner_text("body")
    # A second scan is refused, not counted twice.
    phones["deputy"].goto(link)
    phones["deputy"].get_by_role("button", name="签到").click()
    phones["deputy"].wait_for_load_state()
    assert "已经签到" in phones["deputy"].inner_text("body")
    rows = meeting_rows(site, pk)
    present = sum(1 for r in rows["members"].values() if r[3])
    assert present == 2
    staff.goto(site.url + f"/meetings/{pk}/venue/")
    count = staff.get_by_test_id("attendance-count").inner_text()
    assert f"{present}" in count and f"{rows['total']}" in count

    # The meeting closes: attendance becomes duty records, shown on each deputy's page.
    staff.goto(site.url + f"/meetings/{pk}/")
    staff.get_by_role("button", name="闭会并记入履职档案").click()
    staff.wait_for_load_state()
    rows = meeting_rows(site, pk)
    assert rows["state"] == "closed"
    assert rows["members"][str(deputy[2])][2] == "present"
    assert rows["members"][str(pk1)][2] == "leave"
    expected = {"deputy": "出席", u1: "请假", u2: "出席"}
    for username, label in expected.items():
        page = phones[username]
        page.goto(site.url + "/suggestions/duty/me/")
        fits_phone(page, f"duty-{username}", save_screenshot)
        assert f"{label}" in page.inner_text("main"), f"{username} 的履职档案没有{label}记录"
    year = start.year
    staff.goto(site.url + f"/portal/report/?year={year}")
    save_screenshot(staff, "meeting-annual-report")
    figures = site.read(
        "import json\nfrom renda.meetings.selectors import year_summary\n"
        f"print(json.dumps(year_summary({year})))\n"
    )
    assert figures["held_congress"] >= 1 and figures["present"] >= present
    for key, value in (("meetings_held", "held"), ("meeting_present", "present")):
        shown = staff.locator(f"[data-figure={key}]").inner_text()
        assert shown.startswith(str(figures[value])), (key, shown, figures[value])


# An open budget alert of the demo year (not yet on any agenda), and an account for a member
# of the standing committee, opened the way staff open deputies' accounts.
STANDING_SETUP = """
import datetime as dt, json
from django.utils import timezone
from renda.accounts.models import User
from renda.budget.models import Alert
from renda.core.demo_data import DEMO_PASSWORD
from renda.core.sources import targets_of
from renda.deputies.models import Deputy, Term
from renda.deputies.services.accounts import create_deputy_account
from renda.meetings.models import AgendaItem
from renda.meetings.services import members_from_registry
alert = next(a for a in Alert.objects.filter(status="open").order_by("-pk")
             if not targets_of(a, AgendaItem))
term = Deputy.objects.get(user__username="deputy").term
member = (members_from_registry(kind="standing", term=term, day=timezone.localdate())
          .filter(user__isnull=True).exclude(mobile="").order_by("pk").first())
user = create_deputy_account(actor=User.objects.get(username="staff"), deputy=member)
user.set_password(DEMO_PASSWORD)
user.must_change_password = False
user.save()
print(json.dumps({"alert": alert.pk, "sc_deputy": member.pk, "username": user.username,
                  "term": term.pk}))
"""


def test_a_standing_committee_meeting_takes_a_budget_alert_and_its_documents_are_read(
    site: Any, open_as: Any, save_screenshot: Any, tmp_path: Any
) -> None:
    from renda.documents.samples import make_pdf

    setup = site.read(STANDING_SETUP)
    staff = open_as("staff", phone=False, code=True)
    staff.goto(site.url + "/meetings/new/")
    staff.locator("select[name=kind]").select_option("standing")
    staff.locator("select[name=term]").select_option(str(setup["term"]))
    staff.locator("input[name=number]").fill("88")
    start = dt.datetime.now(SHANGHAI) + dt.timedelta(minutes=10)
    staff.locator("input[name=start_at]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    staff.locator("input[name=end_at]").fill(
        (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    staff.locator("input[name=venue]").fill("常委会第一会议室")
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(re.compile(r"/meetings/\d+/$"))
    pk = int(staff.url.rstrip("/").rsplit("/", 1)[1])
    assert str(setup["sc_deputy"]) in meeting_rows(site, pk)["members"]

    # The budget alert goes on this meeting's agenda from the alert's own page.
    staff.goto(site.url + f"/budget/alerts/{setup['alert']}/")
    form = staff.get_by_test_id("agenda-form")
    form.locator("select[name=meeting]").select_option(str(pk))
    title = "关于预算执行预警问题的审议"
    form.locator("input[name=title], textarea[name=title]").fill(title)
    form.get_by_role("button", name="提请常委会审议").click()
    staff.wait_for_load_state()
    card = staff.get_by_test_id("agenda-item")
    assert card.get_by_test_id("agenda-title").inner_text() == title
    save_screenshot(staff, "meeting-alert-on-agenda")
    staff.goto(site.url + f"/meetings/{pk}/")
    agenda = staff.get_by_test_id("agenda")
    assert title in agenda.inner_text()
    item_pk = site.read(
        "import json\nfrom renda.meetings.models import AgendaItem\n"
        f"print(json.dumps(AgendaItem.objects.get(meeting_id={pk}, title='{title}').pk))\n"
    )

    # A report for the item, released now, from the meeting's 会议文件 page.
    staff.get_by_test_id("meeting-link").filter(has_text="会议文件").click()
    staff.wait_for_load_state()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(make_pdf("预算执行情况的报告", ["一、预算执行总体情况", "二、存在的问题"]))
    staff.locator("input[name=title]").fill("关于预算执行情况的报告")
    staff.locator("select[name=kind]").select_option("report")
    staff.locator("select[name=agenda_item]").select_option(str(item_pk))
    staff.locator("select[name=release_mode]").select_option("now")
    staff.locator("input[name=file]").set_input_files(str(pdf))
    staff.get_by_role("button", name="上传并发布").click()
    staff.wait_for_load_state()
    assert "关于预算执行情况的报告" in staff.get_by_test_id("item-documents").inner_text()
    document = site.read(
        "import json\nfrom renda.documents.models import Document\n"
        f"print(json.dumps(Document.objects.get(agenda_item_id={item_pk}).pk))\n"
    )
    staff.goto(site.url + f"/meetings/{pk}/")
    staff.get_by_role("button", name="发出会议通知").click()
    staff.wait_for_load_state()

    # The standing-committee member reads it on the phone, from the meeting's page.
    member = open_as(setup["username"])
    member.goto(site.url + f"/meetings/mine/{pk}/")
    member.get_by_test_id("meeting-link").click()
    member.wait_for_load_state()
    fits_phone(member, "sc-documents", save_screenshot)
    member.get_by_text("关于预算执行情况的报告").first.click()
    member.wait_for_load_state()
    member.get_by_test_id("pdf-viewer").locator("canvas").first.wait_for()
    fits_phone(member, "sc-reader", save_screenshot)
    staff.goto(site.url + f"/documents/{document}/readers/")
    assert staff.get_by_test_id("read-count").inner_text() == "已读 1"

    # The meeting opens, the member checks in, the item's opinion is recorded, it closes.
    staff.goto(site.url + f"/meetings/{pk}/")
    staff.get_by_role("button", name="宣布开会").click()
    staff.wait_for_load_state()
    staff.goto(site.url + f"/meetings/{pk}/venue/")
    link = staff.get_by_test_id("venue-code").get_attribute("data-checkin-url")
    member.goto(link)
    member.get_by_role("button", name="签到").click()
    member.wait_for_load_state()
    assert "签到成功" in member.inner_text("body")
    staff.goto(site.url + f"/meetings/agenda/{item_pk}/outcome/")
    staff.locator("select[name=outcome_kind]").select_option("opinion")
    staff.locator("textarea[name=outcome]").fill("要求财政部门督促相关单位一个月内整改并报告。")
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_load_state()
    staff.goto(site.url + f"/meetings/{pk}/")
    staff.get_by_role("button", name="闭会并记入履职档案").click()
    staff.wait_for_load_state()
    assert meeting_rows(site, pk)["members"][str(setup["sc_deputy"])][2] == "present"
    # The alert's page shows the meeting's opinion on it.
    staff.goto(site.url + f"/budget/alerts/{setup['alert']}/")
    assert "一个月内整改" in staff.get_by_test_id("agenda-outcome").inner_text()
    member.goto(site.url + "/suggestions/duty/me/")
    assert "出席" in member.inner_text("main")
