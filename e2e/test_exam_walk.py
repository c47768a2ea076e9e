"""Issue 16, "Done means": a 任前法律考试 sitting walked in the browser. The exam administrator
(the demo staff account, which holds the exams duty) imports questions from a GIFT file,
builds a blueprint over them, an appointment list for a standing-committee meeting and a
sitting; two nominees take the exam on phone-sized pages — 彭志刚 reloads mid-exam and loses
nothing, time runs out for the other; a grader marks the short answers blind, results are
released, the meeting's agenda item stays blocked until the second nominee passes the
makeup, then the vote is recorded and the 任命书 (Word) downloads with the right name.

The server's clock is the only clock: to make time run out without waiting ten minutes the
test moves that attempt's deadline (stored on the server) a few seconds ahead, and the page
finds out from the server as it would in a real sitting. The second grader's marks are given
through the grading service (the other grader's account has no password in the demo).
Screenshots land in e2e/screenshots/exam-*.png."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHANGHAI = ZoneInfo("Asia/Shanghai")
TOPIC = ("监督法", "质询和撤职")

# Five questions of 监督法 (a sub-topic the import creates), every one citing its article.
GIFT = """// 走查用试题：监督法 质询和撤职
$CATEGORY: 任前法律考试/监督法/质询和撤职

// [difficulty:2] [score:2] [article:第五条]
::ZX-001::各级人民代表大会常务委员会行使监督职权的情况，应当向（　）报告，接受监督。{=本级人民代表大会 ~上一级人民代表大会常务委员会 ~本级人民政府 ~本级人民检察院}

// [difficulty:3] [score:2] [article:第四十一条]
::ZX-002::县级人民代表大会常务委员会组成人员（　）以上联名，可以向常务委员会书面提出对本级人民政府及其部门的质询案。{=三人 ~五人 ~十人 ~二人}

// [difficulty:2] [score:2] [article:第四十二条]
::ZX-003::质询案由（　）决定交由受质询机关答复。{=主任会议 ~常务委员会全体会议 ~人民代表大会主席团 ~专门委员会}

// [difficulty:2] [score:2] [article:第四十七条]
::ZX-004::撤职案的表决采用（　）方式。{=无记名投票 ~举手表决 ~记名投票 ~鼓掌通过}

// [difficulty:1] [score:2] [article:第四十七条]
::ZX-005::撤职案由常务委员会全体组成人员的过半数通过。{TRUE}

// [difficulty:3] [score:10] [article:第四十一条至第四十三条] [reference:书面提出并写明质询对象、问题和内容；主任会议决定交受质询机关答复；口头答复的由受质询机关负责人到会答复，书面答复的由负责人签署；提质询案的组成人员过半数对答复不满意的可以要求再作答复]
::ZX-006::简述县级人大常委会组成人员提出质询案后的办理程序。{}
"""

# Questions per type the blueprint draws, and each one's score: 3 × 20 + 10 + 30 = 100.
CELLS = (("single", 3, "20"), ("true_false", 1, "10"), ("short_answer", 1, "30"))
PASS_MARK = "60"

SETUP = """
import json
from renda.accounts.models import User
from renda.accounts.services import create_user
from renda.core.demo_data import DEMO_PASSWORD
from renda.core.models import Organization
from renda.deputies.models import Deputy
second = create_user(actor=None, username="nominee_walk", name="周建国", role="nominee",
                     password=DEMO_PASSWORD, must_change_password=False)
first = User.objects.get(username="nominee")
grader = next(u for u in User.objects.filter(role="staff", is_active=True)
              .exclude(username="staff").order_by("username") if u.holds_duty("exams"))
print(json.dumps({
    "first": [first.username, first.name, first.pk],
    "second": [second.username, second.name, second.pk],
    "grader": grader.username,
    "government": Organization.objects.get(code="ZF").pk,
    "term": Deputy.objects.get(user__username="deputy").term_id,
}))
"""

# The key of each question on a nominee's paper, in the positions the paper shows them
# (the browser never sees it; the test reads it from the site's database).
KEY = """
import json
from decimal import Decimal
from renda.exams.models import PaperQuestion
rows = []
for q in (PaperQuestion.objects.filter(paper__enrolment__sitting_id={sitting},
          paper__enrolment__user__username="{username}").select_related("version")
          .order_by("order")):
    v = q.version
    order = q.option_order or list(range(len(v.options or [])))
    weights = [Decimal(str(v.options[i]["weight"])) for i in order]
    if v.type == "single":
        right = next(p for p, w in enumerate(weights) if w > 0)
        wrong = next(p for p, w in enumerate(weights) if w <= 0)
    elif v.type == "true_false":
        right, wrong = ("true", "false") if v.answer["truth"] else ("false", "true")
    else:
        right = wrong = None
    rows.append([q.order, v.type, str(right), str(wrong)])
print(json.dumps(rows))
"""

ATTEMPT = """
import json
from renda.exams.models import Attempt
a = Attempt.objects.get(enrolment__sitting_id={sitting}, enrolment__user__username="{username}")
print(json.dumps({{"state": a.state, "reason": a.submit_reason,
    "deadline": a.deadline.isoformat() if a.deadline else None,
    "answers": {{str(x.order): x.value for x in a.answers.all()}},
    "total": str(a.total_score) if a.total_score is not None else None, "passed": a.passed}}))
"""


@pytest.fixture(scope="module")
def people(site: Any) -> dict[str, Any]:
    return dict(site.read(SETUP))


@pytest.fixture
def log_in(site: Any, sign_in: Any) -> Any:
    def run(page: Any, username: str, *, code: bool = False) -> Any:
        page.context.set_default_timeout(30_000)
        sign_in(page, username, code=code)
        return page

    return run


@pytest.fixture
def second_phone(browser: Any) -> Iterator[Any]:
    """A second phone (the other nominee's), the size of the `phone` fixture's."""
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP, accept_downloads=True)
    yield context.new_page()
    context.close()


def local(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def fits_phone(page: Any, name: str, save_screenshot: Any) -> None:
    save_screenshot(page, f"exam-{name}")
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    assert width <= PHONE["width"], f"{page.url}: 页面宽 {width}px"


def new_sitting(staff: Any, site: Any, blueprint: int, title: str) -> int:
    """The sitting form: open since a minute ago for two hours, 10 minutes to answer."""
    now = dt.datetime.now(SHANGHAI)
    staff.goto(site.url + "/exams/sittings/new/")
    staff.locator("input[name=title]").fill(title)
    staff.locator("input[name=starts_at]").fill(local(now - dt.timedelta(minutes=1)))
    staff.locator("input[name=ends_at]").fill(local(now + dt.timedelta(hours=2)))
    staff.locator("input[name=duration_minutes]").fill("10")
    staff.locator("input[name=pass_mark]").fill(PASS_MARK)
    staff.locator("input[name=venue]").fill("市人大常委会机关四楼考试室")
    staff.locator("select[name=blueprint]").select_option(str(blueprint))
    staff.locator("select[name=mode]").select_option("individual")
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(re.compile(r"/exams/sittings/\d+/$"))
    return int(staff.url.rstrip("/").rsplit("/", 1)[1])


def enrol_from_list(staff: Any, site: Any, list_pk: int, name: str, sitting: int) -> None:
    staff.goto(site.url + f"/exams/appointments/{list_pk}/")
    row = staff.get_by_test_id("nominees").locator("tbody tr", has_text=name)
    row.locator("select[name=sitting]").select_option(str(sitting))
    row.get_by_role("button", name=re.compile("安排(考试|补考)")).click()
    staff.wait_for_load_state()
    assert "已加入考试名单" in staff.inner_text("main"), staff.inner_text("main")


def papers_and_password(staff: Any, site: Any, sitting: int, count: int) -> str:
    staff.goto(site.url + f"/exams/sittings/{sitting}/")
    staff.get_by_role("button", name=f"为 {count} 名考生生成试卷").click()
    staff.wait_for_load_state()
    assert "未生成" not in staff.get_by_test_id("enrolments").inner_text()
    return str(staff.get_by_test_id("sitting-password").inner_text()).strip()


def open_exam(page: Any, site: Any, title: str, password: str) -> int:
    """From 我的考试: the sitting's card, 开始考试, the room's password."""
    page.goto(site.url + "/exams/mine/")
    card = page.get_by_test_id("my-exams").locator(".card", has_text=title)
    card.get_by_test_id("attempt-link").click()
    page.wait_for_url(re.compile(r"/exams/mine/\d+/exam/$"))
    enrolment = int(page.url.rstrip("/").split("/")[-2])
    page.locator("input[name=password]").fill(password)
    page.get_by_test_id("start").click()
    page.get_by_test_id("timer").wait_for()
    return enrolment


def answer(page: Any, n: int, kind: str, value: str | None, text: str = "") -> None:
    if kind in ("single", "true_false"):
        page.locator(f"input[name=q{n}][value='{value}']").check()
    else:
        page.locator(f"textarea[name=q{n}]").fill(text)


def all_saved(page: Any) -> None:
    # A locator assertion, not wait_for_function: the site's CSP forbids evaluating strings.
    expect(page.get_by_test_id("save-status")).to_have_text("答案已全部保存", timeout=30_000)


def saved_note(page: Any, n: int) -> None:
    """Question n's own line says 已保存 only once the server confirmed its save."""
    expect(page.locator(f"#q-{n} [data-role=saved]")).to_contain_text("已保存", timeout=30_000)


def hand_in(page: Any) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("submit").click()
    page.get_by_test_id("attempt-done").wait_for()


def mark_in_browser(staff: Any, site: Any, sitting: int, scores: dict[str, str]) -> int:
    """Mark every short answer in the grader's queue: blind (no name on the page), the
    score chosen by what was written (`scores`: text fragment → score; 0 otherwise)."""
    names = ("彭志刚", "周建国")
    marked = 0
    while True:
        staff.goto(site.url + f"/exams/sittings/{sitting}/grading/")
        items = staff.get_by_test_id("grading-item")
        if not items.count():
            return marked
        items.first.get_by_role("link", name="评阅").click()
        staff.wait_for_load_state()
        body = staff.inner_text("main")
        assert not any(name in body for name in names), "阅卷页面不应出现考生姓名"
        written = staff.get_by_test_id("answer-text").inner_text()
        score = next((s for fragment, s in scores.items() if fragment in written), "0")
        if marked == 0:
            staff.locator("input[name=score]").fill("31")  # over the question's 30 points
            staff.get_by_test_id("mark-submit").click()
            staff.wait_for_load_state()
            assert "给分应在 0–30" in staff.inner_text("main")
        staff.locator("input[name=score]").fill(score)
        staff.get_by_test_id("mark-submit").click()
        staff.wait_for_url(re.compile(r"/grading/$"))
        marked += 1


SECOND_MARK = """
import json
from decimal import Decimal
from renda.accounts.models import User
from renda.exams.models import ExamSitting
from renda.exams.services.grading import mark_answer, short_answers
grader = User.objects.get(username="{grader}")
done = []
for a in short_answers(ExamSitting.objects.get(pk={sitting})).filter(score__isnull=True):
    text = a.value or ""
    score = Decimal({scores!r}.get(next((k for k in {scores!r} if k and k in text), ""), "0"))
    mark_answer(actor=grader, answer=a, score=score)
    done.append(str(score))
print(json.dumps(done))
"""


def second_marks(site: Any, grader: str, sitting: int, scores: dict[str, str]) -> list[str]:
    return list(site.read(SECOND_MARK.format(grader=grader, sitting=sitting, scores=scores)))


def release(staff: Any, site: Any, sitting: int) -> str:
    staff.goto(site.url + f"/exams/sittings/{sitting}/results/")
    staff.get_by_test_id("release").click()
    staff.wait_for_load_state()
    return str(staff.get_by_test_id("results-counts").inner_text())


def agenda_notes(staff: Any, site: Any, meeting: int) -> str:
    staff.goto(site.url + f"/meetings/{meeting}/")
    return str(staff.get_by_test_id("agenda").inner_text())


def test_a_sitting_from_import_to_the_appointment_letter(
    site: Any,
    people: dict[str, Any],
    desk: Any,
    phone: Any,
    second_phone: Any,
    log_in: Any,
    save_screenshot: Any,
    tmp_path: Any,
) -> None:
    from docx import Document

    first_user, first_name, first_pk = people["first"]
    second_user, second_name, second_pk = people["second"]
    staff = log_in(desk, "staff", code=True)

    # 1. Import: a GIFT file, checked, previewed, then written (ready, new sub-topic).
    gift = tmp_path / "监督法-质询和撤职.txt"
    gift.write_text(GIFT, encoding="utf-8")
    staff.goto(site.url + "/exams/bank/import/")
    staff.locator("select[name=format]").select_option("gift")
    staff.locator("input[name=file]").set_input_files(str(gift))
    staff.locator("select[name=status]").select_option("ready")
    staff.locator("input[name=create_topics]").check()
    staff.get_by_role("button", name="上传并校验").click()
    staff.wait_for_load_state()
    preview = staff.get_by_test_id("import-preview").inner_text()
    assert "新增 6 题" in preview and "质询和撤职" in preview, preview
    staff.get_by_test_id("confirm-import").click()
    staff.wait_for_load_state()
    topic = site.read(
        "import json\nfrom renda.exams.models import Question, Topic\n"
        f"t = Topic.objects.get(name='{TOPIC[1]}', parent__name='{TOPIC[0]}')\n"
        "print(json.dumps([t.pk, Question.objects.filter(topic=t, status='ready').count()]))\n"
    )
    assert topic[1] == 6

    # 2. The blueprint over the imported sub-topic: the page checks the bank as it is filled.
    staff.goto(site.url + "/exams/blueprints/new/")
    staff.locator("input[name=name]").fill("走查：监督法质询和撤职")
    staff.locator("select[name=position_category]").select_option("government")
    staff.locator("input[name=parallel_forms]").fill("1")
    for row, (kind, count, score) in enumerate(CELLS):
        staff.locator(f"select[name=cells-{row}-section]").select_option("common")
        staff.locator(f"select[name=cells-{row}-topic]").select_option(str(topic[0]))
        staff.locator(f"select[name=cells-{row}-type]").select_option(kind)
        staff.locator(f"input[name=cells-{row}-count]").fill(str(count))
        staff.locator(f"input[name=cells-{row}-score]").fill(score)
    staff.locator("#blueprint-form button[type=submit]").click()
    staff.wait_for_url(re.compile(r"/exams/blueprints/\d+/$"))
    blueprint = int(staff.url.rstrip("/").rsplit("/", 1)[1])
    save_screenshot(staff, "exam-blueprint")

    # 3. A standing-committee meeting in 15 days, and the government's list for it.
    start = dt.datetime.now(SHANGHAI) + dt.timedelta(days=15)
    staff.goto(site.url + "/meetings/new/")
    staff.locator("select[name=kind]").select_option("standing")
    staff.locator("select[name=term]").select_option(str(people["term"]))
    staff.locator("input[name=number]").fill("61")
    staff.locator("input[name=start_at]").fill(local(start))
    staff.locator("input[name=end_at]").fill(local(start + dt.timedelta(hours=3)))
    staff.locator("input[name=venue]").fill("常委会第一会议室")
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(re.compile(r"/meetings/\d+/$"))
    meeting = int(staff.url.rstrip("/").rsplit("/", 1)[1])

    staff.goto(site.url + "/exams/appointments/new/")
    staff.locator("input[name=title]").fill("市人民政府提请任命名单（走查）")
    staff.locator("select[name=nominating_body]").select_option(str(people["government"]))
    staff.locator("select[name=meeting]").select_option(str(meeting))
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(re.compile(r"/exams/appointments/\d+/$"))
    list_pk = int(staff.url.rstrip("/").rsplit("/", 1)[1])
    posts = {first_name: "冷水江市司法局局长", second_name: "冷水江市应急管理局局长"}
    for pk, name in ((first_pk, first_name), (second_pk, second_name)):
        staff.locator("select[name=user]").select_option(str(pk))
        staff.locator("input[name=post]").fill(posts[name])
        staff.locator("select[name=position_category]").select_option("government")
        staff.get_by_role("button", name="加入名单").click()
        staff.wait_for_load_state()
    staff.get_by_role("button", name="提请常委会（列入议程）").click()
    staff.wait_for_load_state()
    assert staff.get_by_test_id("list-state").inner_text() == "已提请（列入议程）"

    # 4. The sitting; both nominees enrolled from the list; papers; the room's password.
    title = "任前法律考试（走查第一场）"
    sitting = new_sitting(staff, site, blueprint, title)
    for name in (first_name, second_name):
        enrol_from_list(staff, site, list_pk, name, sitting)
    password = papers_and_password(staff, site, sitting, 2)
    save_screenshot(staff, "exam-sitting")

    # 5. 彭志刚 on his phone: two answers, a reload (nothing lost), the rest, hand in.
    first = log_in(phone, first_user)
    key = site.read(KEY.format(sitting=sitting, username=first_user))
    open_exam(first, site, title, password)
    fits_phone(first, "paper", save_screenshot)
    (n1, k1, r1, _), (n2, k2, r2, _) = key[0], key[1]
    answer(first, n1, k1, r1)
    answer(first, n2, k2, r2)
    all_saved(first)
    first.reload()
    first.get_by_test_id("timer").wait_for()
    assert first.get_by_test_id("answered").inner_text() == "2"
    assert first.locator(f"input[name=q{n1}][value='{r1}']").is_checked()
    assert first.locator(f"input[name=q{n2}][value='{r2}']").is_checked()
    essay = "书面提出，写明质询对象、问题和内容；由主任会议决定交受质询机关答复。"
    for n, kind, right, _ in key[2:]:
        answer(first, n, kind, right, essay)
    # The essay saves 0.8 s after the last key stroke: wait for the server's 已保存 on it.
    saved_note(first, key[-1][0])
    all_saved(first)
    fits_phone(first, "paper-answered", save_screenshot)
    saved = site.read(ATTEMPT.format(sitting=sitting, username=first_user))
    assert saved["state"] == "in_progress" and len(saved["answers"]) == 5
    assert all(v not in (None, "") for v in saved["answers"].values()), saved
    hand_in(first)
    fits_phone(first, "handed-in", save_screenshot)

    # 6. 周建国: one answer right, one wrong, then his time runs out on the server.
    second = log_in(second_phone, second_user)
    key2 = site.read(KEY.format(sitting=sitting, username=second_user))
    open_exam(second, site, title, password)
    answer(second, key2[0][0], key2[0][1], key2[0][2])
    all_saved(second)
    site.read(
        "import datetime as dt, json\nfrom django.utils import timezone\n"
        "from renda.exams.models import Attempt\n"
        f"n = Attempt.objects.filter(enrolment__sitting_id={sitting},"
        f" enrolment__user__username='{second_user}')"
        ".update(deadline=timezone.now() + dt.timedelta(seconds=4))\nprint(json.dumps(n))\n"
    )
    answer(second, key2[1][0], key2[1][1], key2[1][3])  # the save tells the page the time
    expect(second.get_by_test_id("timer")).to_have_text("00:00", timeout=60_000)
    fits_phone(second, "time-up", save_screenshot)
    second.get_by_test_id("attempt-done").wait_for(timeout=90_000)
    assert "到时自动交卷" in second.inner_text("main")
    timed_out = site.read(ATTEMPT.format(sitting=sitting, username=second_user))
    assert timed_out["state"] == "submitted" and timed_out["reason"] == "timeout"
    assert timed_out["answers"][str(key2[0][0])] is not None  # what he saved counts
    # The server, not the page, closed it: one time-out event on the attempt.
    timeouts = site.read(
        "import json\nfrom renda.exams.models import AttemptEvent\n"
        f"print(json.dumps(AttemptEvent.objects.filter(attempt__enrolment__sitting_id={sitting},"
        f" attempt__enrolment__user__username='{second_user}', kind='timeout').count()))\n"
    )
    assert timeouts == 1

    # 7. Marking, blind: 27 and 25 for the essay (mean 26), 0 and 0 for the blank one.
    assert mark_in_browser(staff, site, sitting, {"质询对象": "27"}) == 2
    assert sorted(second_marks(site, people["grader"], sitting, {"质询对象": "25"})) == [
        "0",
        "25",
    ]

    # 8. Results released: 彭志刚 70 + 26 = 96 合格, 周建国 20 不合格.
    counts = release(staff, site, sitting)
    assert "合格 1 人，不合格 1 人" in counts, counts
    save_screenshot(staff, "exam-results")
    first.goto(site.url + "/exams/mine/")
    mine = first.get_by_test_id("my-exams").locator(".card", has_text=title)
    assert "96" in mine.get_by_test_id("my-result").inner_text()
    fits_phone(first, "my-result", save_screenshot)

    # 9. The gate: the list cannot go to the vote, the meeting's agenda says who is missing.
    staff.goto(site.url + f"/exams/appointments/{list_pk}/")
    gate = staff.get_by_test_id("gate").inner_text()
    assert second_name in gate and "可补考" in gate and first_name not in gate, gate
    assert staff.get_by_role("button", name="交付表决").is_disabled()
    notes = agenda_notes(staff, site, meeting)
    assert "不能交付表决" in notes and second_name in notes, notes
    save_screenshot(staff, "exam-agenda-blocked")

    # 10. The makeup: a second sitting, 周建国 enrolled from the list, all right this time.
    makeup_title = "任前法律考试（走查补考）"
    makeup = new_sitting(staff, site, blueprint, makeup_title)
    enrol_from_list(staff, site, list_pk, second_name, makeup)
    makeup_password = papers_and_password(staff, site, makeup, 1)
    key3 = site.read(KEY.format(sitting=makeup, username=second_user))
    open_exam(second, site, makeup_title, makeup_password)
    for n, kind, right, _ in key3:
        answer(second, n, kind, right, essay)
    saved_note(second, key3[-1][0])
    all_saved(second)
    hand_in(second)
    # Handed in, not yet released: still blocked.
    assert "不能交付表决" in agenda_notes(staff, site, meeting)
    assert mark_in_browser(staff, site, makeup, {"质询对象": "28"}) == 1
    second_marks(site, people["grader"], makeup, {"质询对象": "28"})
    assert "合格 1 人，不合格 0 人" in release(staff, site, makeup)
    notes = agenda_notes(staff, site, meeting)
    assert "可以交付表决" in notes, notes

    # 11. The vote: opened, each nominee's result with its counts, then the 任命书.
    members = site.read(
        "import json\nfrom renda.meetings.models import Meeting\n"
        f"print(json.dumps(Meeting.objects.get(pk={meeting}).members"
        ".filter(role='attend').count()))\n"
    )
    assert members >= 5
    staff.goto(site.url + f"/exams/appointments/{list_pk}/")
    staff.get_by_role("button", name="交付表决").click()
    staff.wait_for_load_state()
    assert staff.get_by_test_id("list-state").inner_text() == "交付表决"
    for name in (first_name, second_name):
        row = staff.get_by_test_id("nominees").locator("tbody tr", has_text=name)
        row.get_by_role("link", name="登记表决结果").click()
        staff.locator("select[name=result]").select_option("passed")
        staff.locator("input[name=votes_for]").fill(str(members - 2))
        staff.locator("input[name=votes_against]").fill("1")
        staff.locator("input[name=abstentions]").fill("1")
        staff.locator("main form button[type=submit]").click()
        staff.wait_for_url(re.compile(rf"/exams/appointments/{list_pk}/$"))
    assert staff.get_by_test_id("list-state").inner_text() == "已表决"
    save_screenshot(staff, "exam-voted")
    for name in (first_name, second_name):
        row = staff.get_by_test_id("nominees").locator("tbody tr", has_text=name)
        with staff.expect_download() as download:
            row.get_by_role("link", name="任命书（Word）").click()
        path = tmp_path / f"任命书-{name}.docx"
        download.value.save_as(path)
        text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        assert f"{name}同志" in text and f"任命{name}为{posts[name]}" in text, text
    state = site.read(
        "import json\nfrom renda.exams.models import AppointmentRecord\n"
        f"print(json.dumps(sorted(r.user.name for r in AppointmentRecord.objects.filter("
        f"nomination__appointment_list_id={list_pk}))))\n"
    )
    assert state == sorted([first_name, second_name])  # 任免记录 for the next list

    # 12. The demo's own released sitting: its results and item statistics show figures.
    demo = site.read(
        "import json\nfrom renda.exams.models import ExamSitting\n"
        "s = ExamSitting.objects.filter(title__contains='第一场').exclude(title__contains='走查')"
        ".order_by('starts_at').first()\nprint(json.dumps(s.pk if s else None))\n"
    )
    assert demo is not None, "演示数据应有一场已发布成绩的考试"
    staff.goto(site.url + f"/exams/sittings/{demo}/results/")
    assert "合格 3 人，不合格 1 人" in staff.get_by_test_id("results-counts").inner_text()
    save_screenshot(staff, "exam-demo-results")
    staff.goto(site.url + f"/exams/stats/items/?sitting={demo}")
    save_screenshot(staff, "exam-demo-item-stats")
