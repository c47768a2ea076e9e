"""Issue 17, "Done means": a whole 民生实事票决 sitting in the browser.

Staff publish a call (征集公告); a member of the public proposes on 人大之家 without an account
and a deputy from the phone; staff register two more (a department, a township) and a fifth
that the negative list rejects with a public reason; each proposal is reviewed; a candidate
list of N + k = 2 + 2 is built and confirmed by the presidium; the vote goes on the session's
agenda with the valid ballots as the base. The session opens; opening the vote is refused until
the quorum is met by the last deputy checking in with the venue code. Twenty deputies vote on
phones (one of them on two devices: the second cast is told 您已投票; one ticks too many 赞成
and is warned); the box is closed and counted: the second seat is a tie, and a second round
among the tied decides it. The 公告 on 人大之家 shows each project's 赞成 / 反对 / 弃权 as the
ballots cast; every deputy's tracker is on the published list; `verify_ballots` passes with the
printed fingerprints. Then the owner unit reports progress on the chosen project's plan from a
phone, and a satisfaction vote (满意度测评) of the chosen projects is held and published.

Setup that the UI would only make slow (the session, opening accounts for the deputies,
the paper sign-in sheet of the rest of the hall) goes through the site's Django shell; every
step a user takes is taken in the browser. Names carry a random tag: the demo data may or may
not hold livelihood rows of its own. Screenshots: e2e/screenshots/livelihood-*.png."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
VOTERS = 20
SEATS, EXTRA = 2, 2

# A congress session of the demo term starting in ten minutes (the check-in window is open),
# notified; 20 deputies with accounts (the demo deputy and 19 opened the way staff open them)
# plus one more who will not check in; the paper sign-in sheet of the hall: the 19 voters and
# other members up to one short of the quorum, so that the demo deputy's check-in with the
# venue code is the one that makes it.
SETUP = """
import datetime as dt, json, secrets
from django.utils import timezone
from renda.accounts.models import User
from renda.core.demo_data import DEMO_PASSWORD
from renda.core.models import Organization, Region
from renda.deputies.models import Deputy
from renda.deputies.services.accounts import create_deputy_account
from renda.meetings import services as ms
from renda.meetings.models import Meeting, MeetingMember
from renda.meetings.rules import QUORUM_RULES
staff = User.objects.get(username="staff")
mine = Deputy.objects.get(user__username="deputy")
term = mine.term
taken = set(Meeting.objects.filter(term=term, kind="congress").values_list("number", flat=True))
number = next(n for n in range(60, 1000) if n not in taken)
start = timezone.now() + dt.timedelta(minutes=10)
meeting = ms.create_meeting(actor=staff, kind="congress", term=term, number=number,
    start_at=start, end_at=start + dt.timedelta(hours=4), venue="市人民会堂",
    title="第十八届人民代表大会第%d次会议（TAG）" % number)
ms.notify_members(actor=staff, meeting=meeting)
members = {m.deputy_id: m for m in MeetingMember.objects.filter(meeting=meeting, role="attend")}
assert mine.pk in members
fresh = (Deputy.objects.filter(pk__in=members, user__isnull=True).exclude(mobile="")
         .order_by("pk")[:VOTERS])
accounts = [["deputy", mine.pk]]
for d in fresh:
    user = create_deputy_account(actor=staff, deputy=d)
    user.set_password(DEMO_PASSWORD)
    user.must_change_password = False
    user.save()
    accounts.append([user.username, d.pk])
voters, late = accounts[:VOTERS], accounts[VOTERS]
needed = QUORUM_RULES[meeting.quorum].needed(len(members))
sheet = [pk for _, pk in voters[1:]]
sheet += [pk for pk in sorted(members) if pk not in {a[1] for a in accounts}][: needed - 1 - len(sheet)]
for pk in sheet:
    ms.mark_paper_sign_in(actor=staff, member=members[pk])
county = Region.objects.filter(level="county").order_by("code").first()
township = Region.objects.filter(level__in=["township", "subdistrict"]).order_by("code").first()
unit = Organization.objects.get(code="ZF-ZJJ")
# The first year without a city call: the demo county's own call for next year is open.
from renda.livelihood.models import Call
year = next(y for y in range(start.year + 1, start.year + 100)
            if not Call.objects.filter(year=y, level="city", region=county).exists())
print(json.dumps({"meeting": meeting.pk, "members": len(members), "needed": needed,
    "signed": len(sheet), "voters": voters, "late": late, "county": county.pk,
    "township": township.pk, "unit": unit.pk, "unit_name": unit.name, "year": year}))
"""


@pytest.fixture(scope="module")
def hall(site: Any) -> dict[str, Any]:
    tag = secrets.token_hex(3).upper()
    data = dict(site.read(SETUP.replace("TAG", tag).replace("VOTERS", str(VOTERS))))
    data["tag"] = tag
    return data


@pytest.fixture
def browse(site: Any, browser: Any, sign_in: Any) -> Iterator[Any]:
    """`browse(username=None, phone=True, code=False, state=None)`: a page in a new context,
    logged in when a username is given (staff pass TOTP), or restored from a saved state."""
    contexts: list[Any] = []

    def open_page(
        username: str | None = None,
        *,
        phone: bool = True,
        code: bool = False,
        state: dict[str, Any] | None = None,
    ) -> Any:
        options: dict[str, Any] = {"locale": "zh-CN"}
        if phone:
            options.update(viewport=PHONE, is_mobile=True, has_touch=True)
        else:
            options.update(viewport=DESKTOP)
        if state is not None:
            options["storage_state"] = state
        context = browser.new_context(**options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        if username is not None:
            sign_in(page, username, code=code)
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page: Any, name: str, save_screenshot: Any, *, phone: bool = False) -> None:
    save_screenshot(page, f"livelihood-{name}")
    if phone:
        width = int(page.evaluate("document.documentElement.scrollWidth"))
        assert width <= PHONE["width"], f"{page.url}: 页面宽 {width}px"


def post_button(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def alert_text(page: Any) -> str:
    return str(page.locator(".alert").all_inner_texts())


def rows_of(site: Any, vote: int) -> dict[str, Any]:
    """The vote's rounds and candidates as stored, by project title."""
    return dict(
        site.read(
            "import json\nfrom renda.livelihood.models import Vote\n"
            f"v = Vote.objects.get(pk={vote})\n"
            "c = {x.pk: x.project.title for x in v.candidate_list.candidates.select_related('project')}\n"
            "print(json.dumps({'candidates': c, 'rounds': [{'pk': r.pk, 'number': r.number,"
            " 'state': r.state, 'ids': [int(i) for i in r.candidate_ids], 'result': r.result,"
            " 'fingerprint': r.fingerprint, 'roster': r.roster_size}"
            " for r in v.rounds.order_by('number')]}))\n"
        )
    )


def expected_counts(
    ballots: list[dict[str, str]], titles: list[str], seats: int
) -> dict[str, tuple[int, int, int]]:
    """赞成 / 反对 / 弃权 per title over the valid ballots (unmarked = 弃权; more 赞成 than
    seats = void, counted for nobody)."""
    counts = {t: [0, 0, 0] for t in titles}
    for ballot in ballots:
        if sum(1 for m in ballot.values() if m == "yes") > seats:
            continue
        for t in titles:
            counts[t][{"yes": 0, "no": 1}.get(ballot.get(t, ""), 2)] += 1
    return {t: (c[0], c[1], c[2]) for t, c in counts.items()}


def round1_ballots(a: str, b: str, c: str, d: str) -> list[dict[str, str]]:
    """Twenty ballots for two seats: A 15 赞成; B and C 10 each over the valid ballots (a tie
    at the cut-off); D 3; the last deputy ticks three 赞成 (void). Some 反对, some unmarked."""
    out: list[dict[str, str]] = []
    for i in range(VOTERS):
        if i < 15:
            second = b if i < 6 else c if i < 12 else d
            marks = {a: "yes", second: "yes"}
        elif i < 19:
            marks = {b: "yes", c: "yes"}
        else:
            marks = {b: "yes", c: "yes", d: "yes"}
        for t in (a, b, c, d):
            if t not in marks and i % 3 == 0:
                marks[t] = "no"
            elif t not in marks and i % 3 == 1:
                marks[t] = "abstain"  # the rest stay unmarked: 弃权 all the same
        out.append(marks)
    return out


def round2_ballots(b: str, c: str) -> list[dict[str, str]]:
    """The re-vote among the tied for the one seat left: B 12, C 7, one blank ballot."""
    out: list[dict[str, str]] = []
    for i in range(VOTERS):
        if i < 12:
            out.append({b: "yes", c: "no" if i % 2 else "abstain"})
        elif i < 19:
            out.append({c: "yes", b: "no"})
        else:
            out.append({})
    return out


def fill_ballot(page: Any, marks: dict[int, str], prefix: dict[str, str]) -> None:
    for candidate, mark in marks.items():
        page.locator(f"label[for={prefix[mark]}{candidate}]").click()


SELECTION = {"yes": "y", "no": "n", "abstain": "a"}
SATISFACTION = {"satisfied": "s", "basic": "b", "dissatisfied": "d"}


def cast(
    page: Any,
    url: str,
    marks: dict[int, str],
    prefix: dict[str, str],
    *,
    before_cast: Any = None,
) -> str:
    """Fill the ballot, review it, cast it; returns the tracker on the receipt."""
    page.goto(url)
    fill_ballot(page, marks, prefix)
    page.get_by_test_id("review").click()
    page.wait_for_load_state()
    if before_cast is not None:
        before_cast(page)
    page.get_by_test_id("cast").click()
    page.wait_for_load_state()
    assert "投票成功" in page.inner_text("main"), page.inner_text("main")[:300]
    return str(page.get_by_test_id("tracker").inner_text()).strip()


def shown_counts(section: Any) -> dict[str, tuple[int, int, int]]:
    out = {}
    for row in section.get_by_test_id("result-rows").locator("li").all():
        title = row.locator(".fw-semibold").inner_text().strip()
        numbers = [int(x) for x in row.get_by_test_id("counts").locator("strong").all_inner_texts()]
        out[title] = (numbers[0], numbers[1], numbers[2])
    return out


@dataclass
class Walk:
    """What the steps of the sitting hand on to each other."""

    site: Any
    hall: dict[str, Any]
    browse: Any
    save: Any
    titles: dict[str, str]
    staff: Any = None
    public: Any = None
    mine: Any = None  # the demo deputy's phone
    call: int = 0
    call_title: str = ""
    tracking: str = ""
    vote: int = 0
    by_title: dict[str, int] = field(default_factory=dict)
    states: dict[str, Any] = field(default_factory=dict)  # logged-in phones, kept
    trackers: dict[int, list[str]] = field(default_factory=dict)
    fingerprints: dict[int, str] = field(default_factory=dict)
    counts: dict[int, dict[str, tuple[int, int, int]]] = field(default_factory=dict)
    rounds: dict[int, int] = field(default_factory=dict)  # number → round pk

    def shot(self, page: Any, name: str, *, phone: bool = False) -> None:
        shot(page, name, self.save, phone=phone)

    def url(self, path: str) -> str:
        return str(self.site.url) + path


def publish_call(w: Walk) -> None:
    year, tag = w.hall["year"], w.hall["tag"]
    staff = w.staff
    staff.goto(w.url("/livelihood/calls/new/"))
    staff.locator("input[name=year]").fill(str(year))
    staff.locator("select[name=level]").select_option("city")
    staff.locator("select[name=region]").select_option(str(w.hall["county"]))
    w.call_title = f"{year}年市政府民生实事项目征集公告（{tag}）"
    staff.locator("input[name=title]").fill(w.call_title)
    staff.locator("textarea[name=text]").fill(
        "为贯彻以人民为中心的发展思想，现面向社会公开征集明年市政府民生实事项目建议。"
    )
    today = dt.date.today()
    staff.locator("input[name=opens_on]").fill(today.isoformat())
    staff.locator("input[name=closes_on]").fill((today + dt.timedelta(days=30)).isoformat())
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(re.compile(r"/livelihood/calls/\d+/$"))
    w.call = int(staff.url.rstrip("/").rsplit("/", 1)[1])
    post_button(staff, "在人大之家发布")
    assert staff.get_by_test_id("call-state").inner_text() == "征集中"


def propose(w: Walk) -> None:
    """The public on 人大之家 (no account), a deputy from the phone, and staff registering a
    department's, a township's and a village committee's proposals."""
    a, b, c, d, e = (w.titles[k] for k in "ABCDE")
    public = w.public
    public.goto(w.url("/livelihood/public/"))
    public.get_by_role("link", name=re.compile(re.escape(w.call_title))).click()
    public.get_by_test_id("go-propose").click()
    public.locator("input[name=title]").fill(a)
    public.locator("textarea[name=description]").fill(
        "坪石村三个组还在用山塘水，旱季经常断水，建议新建水厂管网延伸工程，惠及1200多名群众。"
    )
    public.locator("select[name=township]").select_option(str(w.hall["township"]))
    public.locator("input[name=place]").fill("坪石村")
    public.locator("input[name=contact_name]").fill("刘先生")
    public.get_by_test_id("submit-proposal").click()
    public.wait_for_url("**/livelihood/public/track/**")
    w.tracking = public.get_by_test_id("tracking-code").inner_text().strip()
    assert w.tracking and a in public.get_by_test_id("track-content").inner_text()
    w.shot(public, "public-proposed", phone=True)

    mine = w.mine
    mine.goto(w.url("/livelihood/propose/"))
    mine.locator("select[name=call]").select_option(str(w.call))
    mine.locator("input[name=title]").fill(b)
    mine.locator("textarea[name=description]").fill(
        "城区十余条背街小巷没有路灯，群众夜间出行不便，存在安全隐患，建议统一安装太阳能路灯。"
    )
    mine.locator("main form button[type=submit]").click()
    mine.wait_for_url("**/livelihood/mine/proposals/")
    assert b in mine.inner_text("main")
    w.shot(mine, "deputy-proposed", phone=True)

    staff = w.staff
    for kind, name, title, text in (
        (
            "department",
            "市住房和城乡建设局",
            c,
            "城区老旧小区雨污合流，雨季污水外溢，建议分流改造。",
        ),
        ("township", "沙塘湾街道办事处", d, "集镇农贸市场棚顶破损、排水不畅，建议提质改造。"),
        ("village", "坪石村村民委员会", e, "村部办公用房紧张，建议扩建村部办公楼两层。"),
    ):
        staff.goto(w.url(f"/livelihood/calls/{w.call}/proposals/new/"))
        staff.locator("select[name=proposer_kind]").select_option(kind)
        staff.locator("input[name=proposer_name]").fill(name)
        staff.locator("input[name=title]").fill(title)
        staff.locator("textarea[name=description]").fill(text)
        staff.locator("main form button[type=submit]").click()
        staff.wait_for_url(re.compile(r"/livelihood/proposals/\d+/$"))


def screen(w: Walk) -> None:
    """Feasibility review and the negative list of each; E fails the debt check and is
    rejected with a public reason; the others pass."""
    proposals = dict(
        w.site.read(
            "import json\nfrom renda.livelihood.models import Proposal\n"
            "print(json.dumps({p.title: [p.pk, p.proposer_kind] for p in"
            f" Proposal.objects.filter(call_id={w.call})}}))\n"
        )
    )
    kinds = dict(
        zip("ABCDE", ("public", "deputy", "department", "township", "village"), strict=True)
    )
    assert {k: proposals[t][1] for k, t in w.titles.items()} == kinds
    staff = w.staff
    for key, title in w.titles.items():
        pk = proposals[title][0]
        staff.goto(w.url(f"/livelihood/proposals/{pk}/screen/"))
        form = staff.get_by_test_id("screen-form")
        form.locator("textarea[name=assessment]").fill("项目选址明确，群众受益面广，技术上可行。")
        cost = 1_200_000 + 300_000 * "ABCDE".index(key)
        form.locator("input[name=estimated_cost]").fill(str(cost))
        form.locator("input[name=funding_source]").fill("市本级财政预算")
        form.locator("select[name=lead_unit]").select_option(str(w.hall["unit"]))
        form.locator("input[name=completion_date]").fill(f"{w.hall['year']}-12-31")
        for check in ("burden", "debt", "stability"):
            ok = not (key == "E" and check == "debt")
            form.locator(f"input[name={check}_ok][value={'yes' if ok else 'no'}]").check()
        if key == "E":
            form.locator("input[name=debt_reason]").fill("须举借新债")
        form.get_by_role("button", name="保存审查意见").click()
        staff.wait_for_url(f"**/livelihood/proposals/{pk}/")
        if key == "E":
            staff.locator("textarea[name=reason]").fill(
                "须举借新债，“不新增政府债务风险”一项未通过。"
            )
            post_button(staff, "不予采纳")
        else:
            post_button(staff, "审查通过")
    w.shot(staff, "proposal-reviewed")
    # The proposer follows the public proposal with the code.
    w.public.goto(w.url("/livelihood/public/track/"))
    w.public.locator("input[name=code]").fill(w.tracking)
    w.public.locator("main form button[type=submit]").click()
    w.public.wait_for_load_state()
    assert "拟列为候选项目" in w.public.inner_text("main")
    # The rejected one's reason is public.
    w.public.goto(w.url(f"/livelihood/public/calls/{w.call}/proposals/"))
    assert "不新增政府债务风险" in w.public.inner_text("main")


def build_list(w: Walk) -> None:
    """N + k = 2 + 2 candidates, confirmed by the presidium, put to the vote on the session's
    agenda, counted on the valid ballots."""
    a, b, c, d, e = (w.titles[k] for k in "ABCDE")
    staff = w.staff
    staff.goto(w.url(f"/livelihood/calls/{w.call}/build/"))
    form = staff.get_by_test_id("build-form")
    form.locator("select[name=meeting]").select_option(str(w.hall["meeting"]))
    form.locator("input[name=title]").fill(
        f"{w.hall['year']}年市政府民生实事候选项目（{w.hall['tag']}）"
    )
    form.locator("input[name=seats]").fill(str(SEATS))
    form.locator("input[name=extra]").fill(str(EXTRA))
    for title in (a, b, c, d):
        form.locator("label.list-group-item", has_text=title).locator("input").check()
    assert form.locator("#picked").inner_text() == f"已选 4 / 须选 {SEATS + EXTRA}"
    form.get_by_role("button", name="生成名单").click()
    staff.wait_for_url(re.compile(r"/livelihood/lists/\d+/$"))
    listed = staff.get_by_test_id("candidates").inner_text()
    assert all(t in listed for t in (a, b, c, d)) and e not in listed
    staff.locator("input[name=decision]").fill("大会主席团第二次会议通过")
    post_button(staff, "登记主席团确认")
    assert "主席团已确认" in staff.inner_text("main")
    post_button(staff, "列入会议议程，付票决")
    staff.wait_for_url(re.compile(r"/livelihood/votes/\d+/$"))
    w.vote = int(staff.url.rstrip("/").rsplit("/", 1)[1])
    rules = staff.get_by_test_id("rules")
    rules.locator("select[name=pass_base]").select_option("valid")
    rules.locator("select[name=quorum]").select_option("majority")
    post_button(staff, "保存计票规则")
    assert "赞成票超过有效票的半数" in staff.inner_text("main")


def open_vote(w: Walk) -> None:
    """The session opens; opening the vote is refused until the demo deputy's check-in with
    the venue code makes the quorum; then the list, rules and roster are frozen."""
    staff, meeting = w.staff, w.hall["meeting"]
    staff.goto(w.url(f"/meetings/{meeting}/"))
    post_button(staff, "宣布开会")
    staff.goto(w.url(f"/livelihood/votes/{w.vote}/"))
    post_button(staff, "开始投票（冻结名单和规则）")
    assert "签到人数不足法定人数" in alert_text(staff), alert_text(staff)
    staff.goto(w.url(f"/meetings/{meeting}/venue/"))
    link = staff.get_by_test_id("venue-code").get_attribute("data-checkin-url")
    assert link
    w.mine.goto(link)
    w.mine.get_by_role("button", name="签到").click()
    w.mine.wait_for_load_state()
    assert "签到成功" in w.mine.inner_text("body")
    staff.goto(w.url(f"/livelihood/votes/{w.vote}/"))
    post_button(staff, "开始投票（冻结名单和规则）")
    assert staff.get_by_test_id("manifest-hash").is_visible()
    state = rows_of(w.site, w.vote)
    first = state["rounds"][0]
    assert first["state"] == "open" and first["roster"] == w.hall["needed"]
    w.rounds[1] = first["pk"]
    w.by_title = {t: int(pk) for pk, t in state["candidates"].items()}
    w.shot(staff, "vote-open")


def vote_round_1(w: Walk) -> None:
    """Twenty deputies on their phones. The fourth also fills the ballot on a second device
    and casts from it after the first: 您已投票. The last ticks three 赞成 and is warned."""
    ballots = round1_ballots(*(w.titles[k] for k in "ABCD"))
    url = w.url(f"/livelihood/rounds/{w.rounds[1]}/ballot/")
    twice = w.hall["voters"][3][0]
    trackers = []
    for i, (username, _deputy) in enumerate(w.hall["voters"]):
        page = w.mine if username == "deputy" else w.browse(username)
        marks = {w.by_title[t]: m for t, m in ballots[i].items()}
        if i == 0:  # the first finds the vote from 我的票决
            page.goto(w.url("/livelihood/mine/"))
            page.get_by_test_id("my-votes").locator("a", has_text=w.hall["tag"]).first.click()
            page.wait_for_url(url)
        if i == 1:
            page.goto(url)
            fill_ballot(page, marks, SELECTION)
            w.shot(page, "ballot", phone=True)
        other = None
        if username == twice:
            other = w.browse(username)
            other.goto(url)
            fill_ballot(other, marks, SELECTION)
            other.get_by_test_id("review").click()
            other.wait_for_load_state()
        before = void_warning(w) if i == VOTERS - 1 else None
        trackers.append(cast(page, url, marks, SELECTION, before_cast=before))
        if i == 1:
            w.shot(page, "receipt", phone=True)
        w.states[username] = page.context.storage_state()
        if other is not None:
            other.get_by_test_id("cast").click()
            other.wait_for_load_state()
            assert "您已投票" in other.get_by_test_id("ballot-error").inner_text()
            w.shot(other, "already-voted", phone=True)
            other.goto(url)
            assert other.get_by_test_id("already-voted").is_visible()
            other.context.close()
        if page is not w.mine:
            page.context.close()
    assert len(set(trackers)) == VOTERS
    w.trackers[1] = trackers
    w.counts[1] = expected_counts(ballots, [w.titles[k] for k in "ABCD"], SEATS)
    # The deputy who had not checked in when the vote opened is not on its roster.
    late = w.browse(w.hall["late"][0])
    late.goto(url)
    late.get_by_test_id("review").click()
    late.wait_for_load_state()
    late.get_by_test_id("cast").click()
    late.wait_for_load_state()
    assert "尚未签到" in late.get_by_test_id("ballot-error").inner_text()
    late.context.close()


def void_warning(w: Walk) -> Any:
    def check(page: Any) -> None:
        assert "废票" in page.get_by_test_id("invalid-warning").inner_text()
        w.shot(page, "ballot-void-warning", phone=True)

    return check


def close_and_count(w: Walk, number: int) -> dict[str, Any]:
    staff = w.staff
    staff.goto(w.url(f"/livelihood/votes/{w.vote}/"))
    section = staff.get_by_test_id(f"round-{number}")
    if number == 1:
        # While open: turnout only, no counts anywhere.
        assert section.get_by_test_id("turnout").inner_text() == str(VOTERS)
        assert "赞成" not in section.inner_text()
    section.get_by_role("button", name="结束投票，封存票箱").click()
    staff.wait_for_load_state()
    section = staff.get_by_test_id(f"round-{number}")
    w.fingerprints[number] = section.get_by_test_id("fingerprint").inner_text().strip()
    section.get_by_role("button", name="核验并计票").click()
    staff.wait_for_load_state()
    w.shot(staff, f"round-{number}-counted")
    return rows_of(w.site, w.vote)


def count_round_1(w: Walk) -> None:
    """The count: A first; B and C tie at the cut-off; a second round among them waits."""
    a, b, c, d = (w.titles[k] for k in "ABCD")
    state = close_and_count(w, 1)
    first, second = state["rounds"][0], state["rounds"][1]
    names = state["candidates"]
    got = {
        names[str(t["candidate"])]: (t["yes"], t["no"], t["abstain"])
        for t in first["result"]["tallies"]
    }
    assert got == w.counts[1]
    assert w.counts[1][a][0] == 15 and w.counts[1][b][0] == w.counts[1][c][0] == 10
    assert first["result"]["valid"] == VOTERS - 1 and first["result"]["invalid"] == 1
    assert [names[str(x)] for x in first["result"]["chosen"]] == [a]
    assert sorted(names[str(x)] for x in first["result"]["tied"]) == sorted([b, c])
    assert second["state"] == "draft" and sorted(second["ids"]) == sorted(
        w.by_title[t] for t in (b, c)
    )
    assert "票数相等" in w.staff.get_by_test_id("round-1").inner_text()
    w.rounds[2] = second["pk"]


def revote(w: Walk) -> None:
    """The re-vote among the tied for the seat left; the same twenty, from the same phones."""
    a, b, c = (w.titles[k] for k in "ABC")
    w.staff.get_by_test_id("round-2").get_by_role(
        "button", name="开始投票（冻结名单和规则）"
    ).click()
    w.staff.wait_for_load_state()
    ballots = round2_ballots(b, c)
    url = w.url(f"/livelihood/rounds/{w.rounds[2]}/ballot/")
    trackers = []
    for i, (username, _deputy) in enumerate(w.hall["voters"]):
        page = w.mine if username == "deputy" else w.browse(state=w.states[username])
        marks = {w.by_title[t]: m for t, m in ballots[i].items()}
        trackers.append(cast(page, url, marks, SELECTION))
        if page is not w.mine:
            page.context.close()
    w.trackers[2] = trackers
    w.counts[2] = expected_counts(ballots, [b, c], 1)
    state = close_and_count(w, 2)
    second = state["rounds"][1]
    names = state["candidates"]
    got = {
        names[str(t["candidate"])]: (t["yes"], t["no"], t["abstain"])
        for t in second["result"]["tallies"]
    }
    assert got == w.counts[2]
    assert [names[str(x)] for x in second["result"]["chosen"]] == [b]
    assert len(state["rounds"]) == 2, "a decided re-vote opens no third round"
    chosen = w.staff.get_by_test_id("chosen").inner_text()
    assert a in chosen and b in chosen and c not in chosen


def publish_and_verify(w: Walk) -> None:
    """The 公告 on 人大之家 with the counts of both rounds and the fingerprints; every
    deputy's tracker on the published lists; verify_ballots with the signed fingerprints."""
    public = w.public
    public.goto(w.url("/livelihood/public/"))
    title = f"票决{w.hall['year']}年市政府民生实事候选项目（{w.hall['tag']}）"
    public.get_by_role("link", name=re.compile(re.escape(title))).click()
    public.wait_for_url(f"**/livelihood/public/votes/{w.vote}/")
    w.shot(public, "public-results", phone=True)
    for number in (1, 2):
        assert shown_counts(public.get_by_test_id(f"round-{number}")) == w.counts[number]
    fps = [x.strip() for x in public.get_by_test_id("fingerprint").all_inner_texts()]
    assert fps == [w.fingerprints[1], w.fingerprints[2]]
    for number in (1, 2):
        public.goto(w.url(f"/livelihood/rounds/{w.rounds[number]}/trackers/"))
        listed = public.get_by_test_id("tracker-list").locator("li").all_inner_texts()
        assert sorted(x.strip() for x in listed) == sorted(w.trackers[number])
        for tracker in w.trackers[number]:  # each deputy looks theirs up
            public.locator("#find").fill(tracker)
            assert public.locator("#found").inner_text().startswith("已找到"), tracker
        w.shot(public, f"trackers-{number}", phone=True)
    public.locator("#find").fill("AAAAAAAA")
    assert public.locator("#found").inner_text().startswith("未找到")
    for number in (1, 2):
        out = w.site.manage(
            "verify_ballots",
            str(w.vote),
            "--round",
            str(number),
            "--fingerprint",
            w.fingerprints[number],
        )
        assert f"第{number}轮：通过" in out, out
    fp = w.fingerprints[1].replace(" ", "")
    public.goto(w.url(f"/livelihood/rounds/{w.rounds[1]}/verify/?fp={fp}"))
    assert f"{VOTERS} 张选票" in public.get_by_test_id("verify-ok").inner_text()
    w.shot(public, "verify", phone=True)


def report_progress(w: Walk) -> None:
    """A plan for A with one sub-item owned by 住建局; its officer reports from a phone; the
    public progress page shows the status's weight."""
    staff, year = w.staff, w.hall["year"]
    staff.goto(w.url("/livelihood/implementation/new/"))
    option = staff.locator("select[name=project] option", has_text=w.titles["A"])
    staff.locator("select[name=project]").select_option(option.get_attribute("value"))
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(re.compile(r"/livelihood/implementation/\d+/$"))
    plan = int(staff.url.rstrip("/").rsplit("/", 1)[1])
    staff.get_by_role("link", name="增加子项").click()
    staff.locator("input[name=title]").fill("水厂至坪石村供水主管网")
    staff.locator("select[name=owner_unit]").select_option(str(w.hall["unit"]))
    staff.locator("input[name=budget]").fill("1200000")
    staff.locator("input[name=deadline]").fill(f"{year}-10-31")
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(f"**/livelihood/implementation/{plan}/")
    post_button(staff, "发布实施计划")
    unit = w.browse("handling_officer")
    unit.goto(w.url(f"/livelihood/implementation/{plan}/"))
    unit.get_by_role("link", name="报送进展").first.click()
    unit.wait_for_url("**/report/")
    unit.locator("select[name=status]").select_option(label="在建（50%）")
    unit.locator("textarea[name=text]").fill("主管网已完成开挖铺设 2.3 公里，占总长的一半。")
    unit.get_by_role("button", name="报送进展").click()
    unit.wait_for_load_state()
    assert unit.get_by_test_id("item-status").inner_text() == "在建"
    w.shot(unit, "unit-report", phone=True)
    w.public.goto(w.url(f"/livelihood/public/projects/{plan}/"))
    assert w.public.get_by_test_id("plan-progress").inner_text() == "50%"
    assert "2.3 公里" in w.public.inner_text("main")
    w.shot(w.public, "public-plan", phone=True)


# Seven deputies judge the two chosen projects. A: 5 满意 of 7 (more than half) → 满意.
# B: 1 满意 + 2 基本满意 = 3, not more than half of 7 → 不满意, which opens a rectification.
GRADES = [
    {"A": "satisfied", "B": "satisfied"},
    {"A": "satisfied", "B": "basic"},
    {"A": "satisfied", "B": "dissatisfied"},
    {"A": "satisfied", "B": "basic"},
    {"A": "basic", "B": "dissatisfied"},
    {"A": "satisfied", "B": "dissatisfied"},
    {"A": "dissatisfied"},
]


def satisfaction_vote(w: Walk) -> None:
    a, b = w.titles["A"], w.titles["B"]
    staff = w.staff
    staff.goto(w.url("/livelihood/satisfaction/new/"))
    staff.locator("select[name=meeting]").select_option(str(w.hall["meeting"]))
    staff.locator("select[name=evaluates]").select_option(str(w.vote))
    staff.locator("input[name=title]").fill(
        f"{w.hall['year']}年度民生实事项目满意度测评（{w.hall['tag']}）"
    )
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(re.compile(r"/livelihood/votes/\d+/$"))
    evaluation = int(staff.url.rstrip("/").rsplit("/", 1)[1])
    post_button(staff, "开始投票（冻结名单和规则）")
    state = rows_of(w.site, evaluation)
    ids = {t: int(pk) for pk, t in state["candidates"].items()}
    assert sorted(ids) == sorted([a, b])
    url = w.url(f"/livelihood/rounds/{state['rounds'][0]['pk']}/ballot/")
    for (username, _), marks in zip(w.hall["voters"], GRADES, strict=False):
        page = w.mine if username == "deputy" else w.browse(state=w.states[username])
        cast(page, url, {ids[w.titles[k]]: m for k, m in marks.items()}, SATISFACTION)
        if page is not w.mine:
            page.context.close()
    staff.goto(w.url(f"/livelihood/votes/{evaluation}/"))
    post_button(staff, "结束投票，封存票箱")
    assert "已结束投票" in alert_text(staff), alert_text(staff)
    post_button(staff, "核验并计票")
    assert "已计票" in alert_text(staff), alert_text(staff)
    w.public.goto(w.url(f"/livelihood/public/votes/{evaluation}/"))
    w.shot(w.public, "satisfaction-results", phone=True)
    found = {}
    for row in w.public.get_by_test_id("grade-rows").locator("li").all():
        title = row.locator(".fw-semibold").inner_text().strip()
        numbers = row.get_by_test_id("counts").locator("strong").all_inner_texts()
        grade = row.locator(".badge").first.inner_text().strip()
        found[title] = (grade, [int(x) for x in numbers[:4]])
    assert found[a] == ("满意", [5, 1, 1, 0])
    assert found[b] == ("不满意", [1, 2, 3, 1])
    rectified = w.site.read(
        "import json\nfrom renda.livelihood.models import Rectification\n"
        f"print(json.dumps(list(Rectification.objects.filter(vote_id={evaluation})"
        ".values_list('project__title', flat=True))))\n"
    )
    assert rectified == [b]
    out = w.site.manage("verify_ballots", str(evaluation))
    assert "第1轮：通过" in out, out


def test_a_whole_livelihood_vote_sitting(
    site: Any, hall: dict[str, Any], browse: Any, save_screenshot: Any
) -> None:
    tag = hall["tag"]
    titles = {
        "A": f"坪石村安全饮水巩固提升（{tag}）",
        "B": f"城区背街小巷路灯亮化（{tag}）",
        "C": f"老旧小区雨污分流改造（{tag}）",
        "D": f"集镇农贸市场提质改造（{tag}）",
        "E": f"村部办公楼扩建（{tag}）",
    }
    w = Walk(site, hall, browse, save_screenshot, titles)
    w.staff = browse("staff", phone=False, code=True)
    w.public = browse()
    w.mine = browse("deputy")
    for step in (
        publish_call,
        propose,
        screen,
        build_list,
        open_vote,
        vote_round_1,
        count_round_1,
        revote,
        publish_and_verify,
        report_progress,
        satisfaction_vote,
    ):
        step(w)
