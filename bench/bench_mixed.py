"""Mixed workload against the production topology (issue 18, item 3): a congress session day
of the county — 600 deputies checking in, reading and casting their 民生实事 ballots, staff at
their lists and details, handling units replying to suggestions, nominees autosaving an exam,
the public reading and giving opinions, the finance bureau pushing payments — all at once,
through nginx (HTTPS) in front of the two gunicorn app servers (`make prod-up`, docs/deploy.md §11).

The run, open loop (each job starts at its moment whether or not the servers keep up), over
--seconds (default 300): each of the 600 deputies opens the check-in page and checks in (first
half), reads two pages, opens the ballot and casts it (50–90 % of the run); 25 staff a page
every 6–14 s (budget pages for the budget duty); 40 handling units their list, a suggestion
and the reply; 40 nominees the paper, then an autosave every 10–20 s; the public one page a
second and an opinion every 5 s; the finance bureau 100 payments every 15 s (the push API);
the health check once a second. About 6,000 requests, ~20 a second.

Before it, each GET page 5 times in a row from one client: what a page costs without queueing.
Prints per page: requests, throughput, p50/p95/p99/max, statuses, errors (no answer or 5xx),
unexpected answers (a status the page should not give, e.g. 403 or a redirect to the log-in
page) and the ratios of p50 and p99 to the trivial view's (/api/v1/health) in the same run on
the same servers; then the writes checked against what was acknowledged (check-ins, ballots,
opinions, replies, autosaves, pushed payments). Target: no errors, p99 < 500 ms on every page.

    .venv/bin/python bench/bench_mixed.py [--seconds 300] [--deputies 600] [--scale 1.0]

The topology: `prod.py up` does nothing when it runs already (someone's `make prod-up`: used
and left running); otherwise it is started here and stopped at the end (`prod.py down`, by
pid). Its database renda_prod must hold the demo county: when it has no deputies,
`seed_demo --force` is run first (3–12 minutes on this machine). What the run needs is created
through the services: the city term topped up to 600 deputies once (the bulk registration;
the demo has ~205 city deputies) and accounts for all (the bulk issuance); then under a random
tag two meetings of the session (one voting, all signed in on paper; one checking in), a
民生实事 vote with 17 candidates, an exam sitting from the demo bank with nominees under way,
suggestions assigned to the demo handling units, a push token for the demo data provider, and
logged-in sessions written into the session store (staff sessions past the second factor).

Public opinions are posted straight to the app servers with the citizen's address in
X-Real-IP (exactly what nginx forwards): through nginx every simulated citizen would share
127.0.0.1 and the public form's per-address limit (5 per 10 minutes) would answer 429.
The client runs on the same two cores as the servers, so figures include its CPU. Loopback only.
Figures only: it never fails on timing; exit status 1 when a write acknowledged is missing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import secrets
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "deploy" / "local"))
sys.path.insert(0, str(ROOT))

import prod  # noqa: E402  deploy/local/prod.py: ports, environment, start and stop
import servers  # noqa: E402
from servers import Driver, Login, Result, figures, load_average, make_sessions  # noqa: E402

TARGET_P99 = 0.500
SESSION_DEPUTIES = 600  # a county congress session at its peak
HEALTH = "health (trivial view)"
SITE_PORT = prod.SITE_PORT
APP_PORTS = tuple(prod.APP_PORTS)
ORIGIN = f"https://127.0.0.1:{SITE_PORT}"


# -- an HTTPS-speaking driver -----------------------------------------------------------------
class SiteDriver(Driver):
    """servers.Driver over HTTPS to nginx; to an app server directly, plain HTTP with the
    headers nginx adds (X-Forwarded-Proto https, the client's X-Real-IP). POSTs carry Origin
    and Referer, as a browser on the HTTPS site sends them (Django's CSRF check needs them)."""

    _tls: ssl.SSLContext | None = None

    @classmethod
    def tls(cls) -> ssl.SSLContext:
        # Made on first use: the certificate exists only once the topology is up (prod.py up
        # writes it), not when this module is imported on a fresh machine.
        if cls._tls is None:
            cls._tls = ssl.create_default_context(cafile=str(prod.RUN / "tls" / "fullchain.pem"))
        return cls._tls

    def _connection(self, port: int) -> http.client.HTTPConnection:
        pool: dict[int, http.client.HTTPConnection] = self._local.__dict__.setdefault("pool", {})
        conn = pool.get(port)
        if conn is None:
            if port == SITE_PORT:
                conn = http.client.HTTPSConnection(
                    "127.0.0.1", port, timeout=self.timeout, context=self.tls()
                )
            else:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
            pool[port] = conn
        return conn

    def send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str], label: str
    ) -> Result:
        headers = dict(headers)
        address = headers.pop("X-Client-Address", "")
        if method != "GET":
            headers.setdefault("Origin", ORIGIN)
            headers.setdefault("Referer", ORIGIN + path)
        if self.ports != [SITE_PORT]:
            headers["Host"] = f"127.0.0.1:{SITE_PORT}"
            headers["X-Forwarded-Proto"] = "https"
            headers["X-Real-IP"] = address or "127.0.0.1"
        return super().send(method, path, body, headers, label)


@contextmanager
def https_driver() -> Iterator[None]:
    """run_load builds a servers.Driver; for this run it builds a SiteDriver."""
    plain = servers.Driver
    servers.Driver = SiteDriver  # type: ignore[misc]
    try:
        yield
    finally:
        servers.Driver = plain  # type: ignore[misc]


def post_json(
    browser: servers.Browser, path: str, payload: Any, headers: dict[str, str], label: str
) -> Result:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return browser.request(
        "POST",
        path,
        body=body,
        headers={"Content-Type": "application/json", **headers},
        label=label,
        keep_body=True,
    )


# -- the topology -----------------------------------------------------------------------------
def prod_command(command: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(prod.PYTHON), str(ROOT / "deploy" / "local" / "prod.py"), command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def setup_django() -> None:
    """This process on the topology's settings and database (its keys: sessions and
    encrypted fields must be readable by the servers)."""
    os.environ.update(prod.app_env())
    os.environ["DJANGO_SETTINGS_MODULE"] = "renda.settings"
    import django

    django.setup()


# -- the data of the run ----------------------------------------------------------------------
@dataclass
class World:
    tag: str
    staff: Any  # the demo staff account (every duty): the actor of the set-up
    staff_logins: list[tuple[Login, bool]] = field(default_factory=list)  # (login, budget duty)
    deputy_logins: dict[int, Login] = field(default_factory=dict)  # deputy id → login
    vote_meeting: Any = None
    checkin_meeting: Any = None
    checkin_code: str = ""
    round_: Any = None
    candidates: list[int] = field(default_factory=list)
    nominees: list[tuple[Login, int, list[tuple[int, str]]]] = field(default_factory=list)
    replies: list[tuple[Login, int]] = field(default_factory=list)  # officer, suggestion
    suggestion_ids: list[int] = field(default_factory=list)
    budget_year: int = 0
    unit_ids: list[int] = field(default_factory=list)
    push_token: str = ""
    push_templates: list[dict[str, str]] = field(default_factory=list)
    stations: list[int] = field(default_factory=list)
    opinion_category: str = ""


def ensure_demo() -> None:
    from django.core.management import call_command

    from renda.deputies.models import Deputy

    if not Deputy.objects.exists():
        print("  renda_prod has no demo county: seed_demo --force …", flush=True)
        started = time.perf_counter()
        call_command("seed_demo", force=True)
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)


def staff_sessions(users: list[Any]) -> list[Login]:
    """Like servers.make_sessions, for staff (a strict role): the session also carries the
    TOTP device verified at log in, and the password is not owed (changed today)."""
    import secrets as s

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.module_loading import import_string
    from django_otp import DEVICE_ID_SESSION_KEY

    from renda.accounts.middleware import OTP_ENROLLED_KEY, SESSION_STARTED_KEY
    from renda.accounts.models import EncryptedTOTPDevice, User

    User.objects.filter(pk__in=[u.pk for u in users]).update(
        must_change_password=False, password_changed_at=timezone.now()
    )
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    logins, rows = [], []
    for user in User.objects.filter(pk__in=[u.pk for u in users]).order_by("pk"):
        device = EncryptedTOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = EncryptedTOTPDevice.objects.create(user=user, name="基准测试", confirmed=True)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: servers.SESSION_BACKEND,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            SESSION_STARTED_KEY: int(time.time()),
            OTP_ENROLLED_KEY: True,
            DEVICE_ID_SESSION_KEY: device.persistent_id,
        }
        key = s.token_hex(16)
        rows.append(
            Session(session_key=key, session_data=store().encode(data), expire_date=expires)
        )
        csrf = "".join(s.choice(servers.CSRF_SECRET_CHARS) for _ in range(32))
        logins.append(Login(user.pk, key, csrf))
    Session.objects.bulk_create(rows)
    return logins


def top_up_term(staff: Any, term: Any, size: int) -> int:
    """The demo city term has ~205 deputies; a county congress at its peak has ~600. The
    missing ones are registered once (the Excel import's bulk service), marked 基准代表 in
    their employer field, and reused by later runs."""
    from bench_meetings import id_number

    from renda.core.models import Region
    from renda.deputies.models import Deputy
    from renda.deputies.services import create_deputies_in_bulk

    have = Deputy.objects.filter(term=term).count()
    if have >= size:
        return 0
    townships = list(Region.objects.filter(parent__code="431381").order_by("code"))
    start = Deputy.objects.filter(term=term, employer__startswith="基准代表单位").count()
    records = (
        {
            "term": term,
            "name": f"基准代表{i:03d}",
            "party": "群众",
            "category": Deputy.Category.WORKER,
            "region": townships[i % len(townships)],
            "id_number": id_number(5000 + i),
            "mobile": f"137{i:08d}",
            "employer": f"基准代表单位{i % 50 + 1}",
            "occupation": "职员",
            "elected_on": dt.date(2021, 11, 20),
        }
        for i in range(start, start + size - have)
    )
    return create_deputies_in_bulk(actor=staff, records=records)


def next_meeting_number(term: Any) -> int:
    from django.db.models import Max

    from renda.meetings.models import Meeting

    return (Meeting.objects.filter(term=term).aggregate(n=Max("number"))["n"] or 0) + 1


def prepare(scale: float, seed: int) -> World:
    from bench_livelihood import prepare_vote
    from bench_meetings import new_meeting
    from django.utils import timezone

    from renda.accounts.models import User
    from renda.budget.models import BudgetUnit, Payment
    from renda.budget.services.tokens import issue_push_token
    from renda.core.models import Organization, Region
    from renda.core.roles import Role
    from renda.deputies.models import Deputy, Term
    from renda.deputies.services import issue_term_accounts
    from renda.meetings import services as meeting_services
    from renda.meetings.models import MeetingMember
    from renda.stations.models import Opinion, Station
    from renda.suggestions import services as suggestion_services
    from renda.suggestions.models import Suggestion

    rng = random.Random(seed)
    tag = secrets.token_hex(3)
    staff = User.objects.get(username="staff")
    world = World(tag=tag, staff=staff)
    started = time.perf_counter()

    # Staff: the demo staff account and the 24 others; budget pages for those with the duty.
    members = list(User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk"))
    logins = staff_sessions(members)
    by_pk = {u.pk: u for u in members}
    world.staff_logins = [(login, by_pk[login.user_id].holds_duty("budget")) for login in logins]

    # Deputies: every city deputy of the current term with an account (the bulk issuance).
    term = Term.objects.filter(level="city").order_by("-number").first()
    assert term is not None, "no city term in renda_prod"
    added = top_up_term(staff, term, SESSION_DEPUTIES)
    issued = issue_term_accounts(actor=staff, term=term)
    deputies = list(
        Deputy.objects.filter(term=term, user__isnull=False).select_related("user").order_by("pk")
    )
    for deputy, login in zip(deputies, make_sessions([d.user for d in deputies]), strict=True):
        world.deputy_logins[deputy.pk] = login
    print(
        f"  {len(logins)} staff sessions, {len(deputies)} city deputies with sessions "
        f"({added} deputies registered and {len(issued.created)} accounts opened now)",
        flush=True,
    )

    # The session: a sitting that votes (everybody on the paper sheet, opened, the 民生实事
    # vote's first round open) and one whose check-in code the deputies scan today.
    number = next_meeting_number(term)
    vote_meeting = new_meeting(staff, term, number, f"基准测试第{number}次会议（{tag}）")
    meeting_services.notify_members(actor=staff, meeting=vote_meeting)
    for member in MeetingMember.objects.filter(meeting=vote_meeting).order_by("pk"):
        meeting_services.mark_paper_sign_in(actor=staff, member=member)
    world.vote_meeting = meeting_services.open_meeting(actor=staff, meeting=vote_meeting)
    county = Region.objects.get(code="431381")
    department = (
        Organization.objects.filter(is_handling_unit=True, region=county).order_by("pk").first()
    )
    world.round_ = prepare_vote(staff, world.vote_meeting, county, department, tag)
    world.candidates = [int(c) for c in world.round_.candidate_ids]
    checkin = new_meeting(staff, term, number + 1, f"基准测试第{number + 1}次会议（{tag}）")
    meeting_services.notify_members(actor=staff, meeting=checkin)
    world.checkin_meeting = meeting_services.open_meeting(actor=staff, meeting=checkin)
    world.checkin_code = meeting_services.make_code(world.checkin_meeting)
    print(f"  meetings {number} (vote) and {number + 1} (check-in) open", flush=True)

    # Exams: nominees mid-way through a sitting drawn from the demo bank.
    world.nominees = prepare_exam(staff, tag, max(4, round(40 * scale)))

    # Suggestions from the deputies, registered and assigned to demo handling units.
    officers = list(
        User.objects.filter(
            role=Role.HANDLING_OFFICER, is_active=True, organization__is_handling_unit=True
        )
        .select_related("organization")
        .order_by("pk")
    )
    officer_logins = dict(zip([o.pk for o in officers], make_sessions(officers), strict=True))
    with_accounts = deputies[: max(1, round(40 * scale))]
    for i, deputy in enumerate(with_accounts):
        officer = officers[i % len(officers)]
        author = deputy.user
        assert author is not None
        s = suggestion_services.create_suggestion(
            actor=author,
            deputy=deputy,
            title=f"关于改善第{i + 1}片区排水设施的建议（{tag}）",
            content="片区排水管网老化，雨季积水严重，建议列入年度改造计划并尽快实施。" * 2,
        )
        s = suggestion_services.submit_suggestion(actor=author, suggestion=s)
        s = suggestion_services.register_suggestion(actor=staff, suggestion=s, field="urban")
        s = suggestion_services.assign_suggestion(
            actor=staff, suggestion=s, mode="lead", lead_unit=officer.organization, co_units=[]
        )
        world.replies.append((officer_logins[officer.pk], s.pk))
    world.suggestion_ids = list(
        Suggestion.objects.exclude(state="draft").order_by("-pk").values_list("pk", flat=True)[:200]
    )

    # Budget: the demo year's units, a push token for the demo data provider, templates.
    latest = Payment.objects.order_by("-year").values_list("year", flat=True).first()
    world.budget_year = latest or timezone.now().year
    world.unit_ids = list(
        BudgetUnit.objects.filter(year=world.budget_year).values_list("pk", flat=True)[:300]
    )
    provider = User.objects.get(username="data_provider")
    admin = User.objects.get(username="security_admin")
    _, world.push_token = issue_push_token(
        actor=admin, name=f"基准测试 {tag}", user=provider, kinds=["payments"]
    )
    sample = list(
        Payment.objects.filter(year=world.budget_year, kind="payment", is_void=False)
        .select_related("unit")
        .order_by("?")[:200]
    )
    from renda.budget.models import FinanceRegion

    regions = dict(FinanceRegion.objects.values_list("pk", "code"))
    for p in sample:
        world.push_templates.append(
            {
                "PAY_DATE": p.pay_date.isoformat(),
                "FISCAL_YEAR": str(p.year),
                "MOF_DIV_CODE": regions[p.region_id],
                "AGENCY_CODE": p.unit.code,
                "BGT_ID": p.bgt_id,
                "EXP_FUNC_CODE": p.func_code,
                "GOV_BGT_ECO_CODE": p.gov_eco_code,
                "DEP_BGT_ECO_CODE": p.dep_eco_code,
                "FUND_TYPE_CODE": p.fund_type,
                "PAYEE_ACCT_NAME": p.payee_name,
                "FUND_TRAOBJ_TYPE_CODE": p.get_payee_type_display(),
                "PAY_APP_AMT": f"{Decimal(rng.randint(100, 50000)):.2f}",
                "USE_DES": p.purpose or "办公用品采购",
            }
        )

    # Stations for the public form.
    world.stations = list(Station.objects.values_list("pk", flat=True)[:50])
    world.opinion_category = Opinion._meta.get_field("category").choices[0][0]  # type: ignore[index]
    print(f"  set-up done in {time.perf_counter() - started:.0f} s (tag {tag})", flush=True)
    return world


def prepare_exam(
    staff: Any, tag: str, count: int
) -> list[tuple[Login, int, list[tuple[int, str]]]]:
    """A sitting open now, drawn from the demo bank (single choice and true/false), `count`
    new nominees enrolled, papers drawn and every attempt started (as after the password)."""
    from django.utils import timezone

    from renda.accounts.models import User
    from renda.core.roles import Role
    from renda.exams.models import Answer, Section, Topic
    from renda.exams.services.attempts import start_attempt
    from renda.exams.services.blueprints import CellSpec, pools, save_blueprint
    from renda.exams.services.papers import generate_papers
    from renda.exams.services.sittings import create_sitting, enrol

    cells = []
    for kind in ("single", "true_false"):
        for topic in Topic.objects.filter(parent=None).order_by("pk"):
            spec = CellSpec(Section.COMMON, topic, kind, 1, 5, 5, Decimal(10))
            if len(pools([spec])[0]) >= 10:
                cells.append(spec)
                break
    blueprint = save_blueprint(
        actor=staff,
        blueprint=None,
        name=f"基准测试规则（{tag}）",
        position_category="government",
        parallel_forms=1,
        cells=cells,
    )
    now = timezone.now()
    sitting = create_sitting(
        actor=staff,
        title=f"任前法律考试（基准测试 {tag}）",
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=2),
        duration_minutes=90,
        pass_mark=Decimal(60),
        venue="三楼会议室",
        blueprint=blueprint,
        allowed_networks="127.0.0.0/8",
    )
    users = [
        User.objects.create(
            username=f"mixed-{tag}-n{i}", name=f"考生{i}", role=Role.NOMINEE, is_active=True
        )
        for i in range(count)
    ]
    enrolments = [enrol(actor=staff, sitting=sitting, user=u, reason="拟任局长") for u in users]
    generate_papers(actor=staff, sitting=sitting)
    logins = make_sessions(users)
    out = []
    for user, enrolment, login in zip(users, enrolments, logins, strict=True):
        attempt = start_attempt(
            actor=user, enrolment=enrolment, password=sitting.password, ip="127.0.0.1"
        )
        answers = [
            (a.order, a.question.version.type)
            for a in Answer.objects.filter(attempt=attempt)
            .select_related("question__version")
            .order_by("order")
        ]
        out.append((login, enrolment.pk, answers))
    print(f"  exam sitting with {count} nominees under way ({len(out[0][2])} questions each)")
    return out


# -- the workload ------------------------------------------------------------------------------
Job = Callable[[Driver], None]


@dataclass
class Acks:
    lock: threading.Lock = field(default_factory=threading.Lock)
    checkins: set[int] = field(default_factory=set)  # deputy ids acknowledged
    ballots: set[int] = field(default_factory=set)
    opinions: set[str] = field(default_factory=set)  # form tokens acknowledged
    replies: set[int] = field(default_factory=set)  # suggestion ids
    saves: int = 0
    pushed: set[str] = field(default_factory=set)  # voucher numbers in a 201/200 answer
    unexpected: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)

    def expect(self, result: Result, ok: bool) -> bool:
        if not ok and result.status and result.status < 500:
            with self.lock:
                self.unexpected[result.label] += 1
                self.samples.setdefault(
                    result.label, f"{result.status} {result.location} {result.body[:200]!r}"
                )
        return ok


def get(browser: servers.Browser, path: str, label: str, acks: Acks, want: int = 200) -> Result:
    r = browser.get(path, label, keep_body=True)
    acks.expect(r, r.status == want)
    r.body = ""
    return r


FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OPINION = "/stations/public/opinion/"


Jobs = list[tuple[float, Job]]


def deputy_jobs(world: World, span: float, rng: random.Random, acks: Acks, deputies: int) -> Jobs:
    """Each deputy checks in (the check-in page, the POST) in the first half of the run, reads
    two pages at random moments, and votes (the ballot page, then the cast) between 50 % and
    90 % of the run."""
    from bench_livelihood import ballot_marks, form_of

    jobs: Jobs = []
    checkin_page = f"/meetings/check-in/?{urllib.parse.urlencode({'code': world.checkin_code})}"
    ballot = f"/livelihood/rounds/{world.round_.pk}/ballot/"
    pages = [
        ("/workbench/", "deputy 工作台"),
        ("/suggestions/me/", "deputy 我的建议 (list)"),
        (f"/meetings/mine/{world.vote_meeting.pk}/", "deputy 会议 (detail)"),
        ("/documents/mine/", "deputy 知情知政 (list)"),
        ("/livelihood/mine/", "deputy 我的票决 (list)"),
    ]

    def check_in(driver: Driver, login: Login, deputy: int) -> None:
        b = driver.browser(login)
        get(b, checkin_page, "deputy 签到页 GET", acks)
        r = b.post("/meetings/check-in/", {"code": world.checkin_code}, "deputy 签到 POST")
        if acks.expect(r, r.status == 302):
            with acks.lock:
                acks.checkins.add(deputy)

    def vote(driver: Driver, login: Login, deputy: int) -> None:
        b = driver.browser(login)
        get(b, ballot, "deputy 选票页 GET", acks)
        marks = ballot_marks(random.Random(deputy), world.candidates)
        r = b.post(ballot, form_of(marks), "deputy 投票 POST", keep_body=True)
        if acks.expect(r, r.status == 200 and "投票成功" in r.body):
            with acks.lock:
                acks.ballots.add(deputy)

    for deputy, login in list(world.deputy_logins.items())[:deputies]:
        jobs.append((rng.uniform(0, 0.5 * span), partial(check_in, login=login, deputy=deputy)))
        for path, label in rng.sample(pages, 2):
            jobs.append((rng.uniform(0, span), partial(page_job, login, path, label, acks)))
        jobs.append(
            (rng.uniform(0.5 * span, 0.9 * span), partial(vote, login=login, deputy=deputy))
        )
    return jobs


def page_job(login: Login | None, path: str, label: str, acks: Acks, driver: Driver) -> None:
    get(driver.browser(login), path, label, acks)


def staff_jobs(world: World, span: float, rng: random.Random, acks: Acks) -> Jobs:
    """A page every 6–14 s for each member of staff: lists and details across the modules,
    the budget pages for those holding the budget duty."""
    suggestions, units = world.suggestion_ids, world.unit_ids
    common: list[Callable[[], tuple[str, str]]] = [
        lambda: ("/workbench/", "staff 工作台"),
        lambda: ("/suggestions/", "staff 建议 (list)"),
        lambda: (f"/suggestions/{rng.choice(suggestions)}/", "staff 建议 (detail)"),
        lambda: (f"/meetings/{world.checkin_meeting.pk}/members/", "staff 签到名单 (list)"),
        lambda: (f"/livelihood/votes/{world.round_.vote_id}/", "staff 票决 (detail)"),
        lambda: ("/stations/opinions/", "staff 群众意见 (list)"),
    ]
    budget: list[Callable[[], tuple[str, str]]] = [
        lambda: (f"/budget/payments/?year={world.budget_year}", "staff 支付凭证 (list)"),
        lambda: (f"/budget/units/{rng.choice(units)}/", "staff 预算单位 (detail)"),
        lambda: ("/budget/dashboard/", "staff 预算监督总览"),
    ]
    jobs: Jobs = []
    for login, has_budget in world.staff_logins:
        pages = common + (budget if has_budget else [])
        t = rng.uniform(0, 6)
        while t < span:
            path, label = rng.choice(pages)()
            jobs.append((t, partial(page_job, login, path, label, acks)))
            t += rng.uniform(6, 14)
    return jobs


def unit_jobs(world: World, span: float, rng: random.Random, acks: Acks) -> Jobs:
    """Each handling unit: its list, the suggestion, the reply."""

    def reply(driver: Driver, login: Login, pk: int) -> None:
        b = driver.browser(login)
        get(b, "/suggestions/unit/", "unit 承办建议 (list)", acks)
        get(b, f"/suggestions/{pk}/", "unit 建议 (detail)", acks)
        r = b.post(
            f"/suggestions/{pk}/reply/",
            {
                "reply_class": "A",
                "content": "经研究，已将该片区排水管网改造列入今年城建计划，预计年底前完工。",
                "signer": "刘局长",
                "contact_person": "王科长",
            },
            "unit 答复 POST",
            keep_body=True,
        )
        if acks.expect(r, r.status == 302):
            with acks.lock:
                acks.replies.add(pk)

    return [(rng.uniform(0, span), partial(reply, login=lg, pk=pk)) for lg, pk in world.replies]


def nominee_jobs(world: World, span: float, rng: random.Random, acks: Acks) -> Jobs:
    """Each nominee opens the paper, then an autosave every 10–20 s (answers change as they
    think), each save sent with the version the last answer gave."""

    def sit(driver: Driver, login: Login, pk: int, answers: list[tuple[int, str]]) -> None:
        b = driver.browser(login)
        get(b, f"/exams/mine/{pk}/exam/", "nominee 试卷 GET", acks)
        versions: dict[int, int] = defaultdict(int)
        local = random.Random(pk)
        end = driver.t0 + span
        while time.perf_counter() < end - 2:
            time.sleep(local.uniform(10, 20))
            order, kind = local.choice(answers)
            value = local.random() < 0.5 if kind == "true_false" else local.randrange(4)
            r = b.post(
                f"/exams/mine/{pk}/exam/save/",
                {"q": str(order), "v": str(versions[order]), "value": json.dumps(value)},
                "nominee 自动保存 POST",
                keep_body=True,
            )
            answer = json.loads(r.body) if r.status == 200 else {}
            if acks.expect(r, bool(answer.get("ok"))):
                versions[order] = answer["version"]
                with acks.lock:
                    acks.saves += 1

    return [
        (rng.uniform(0, 5), partial(sit, login=login, pk=pk, answers=answers))
        for login, pk, answers in world.nominees
    ]


def public_jobs(
    world: World, span: float, scale: float, rng: random.Random, acks: Acks, direct: SiteDriver
) -> Jobs:
    """Public pages at 1 a second; the health check beside them at 1 a second; opinions
    (the form, then the POST) straight to the app servers from the citizen's own address."""
    pages = [
        ("/", "public 首页"),
        ("/suggestions/public/", "public 建议公开 (list)"),
        ("/livelihood/public/projects/", "public 民生实事 (list)"),
        ("/stations/public/", "public 联络站 (list)"),
        ("/portal/deputies/", "public 代表名录 (list)"),
    ]
    jobs: Jobs = []
    for _ in range(round(span * scale)):
        path, label = rng.choice(pages)
        jobs.append((rng.uniform(0, span), partial(page_job, None, path, label, acks)))
    for i in range(round(span)):
        jobs.append((i + 0.5, partial(page_job, None, "/api/v1/health", HEALTH, acks)))

    def opinion(driver: Driver, address: str, station: int, i: int) -> None:
        b = direct.browser()
        extra = {"X-Client-Address": address}
        r = b.request("GET", OPINION, headers=extra, label="public 意见表 GET", keep_body=True)
        found, csrf = FORM_TOKEN.search(r.body), CSRF_FIELD.search(r.body)
        if not acks.expect(r, r.status == 200 and found is not None) or not (found and csrf):
            return
        data = {
            "csrfmiddlewaretoken": csrf.group(1),  # with the csrftoken cookie the GET set
            "station": str(station),
            "category": world.opinion_category,
            "content": f"小区门口的路灯坏了一个多月，晚上出行不便，请尽快修复。（{world.tag}-{i}）",
            "location": "冷水江街道",
            "form_token": found.group(1),
            "website": "",
        }
        r = b.request(
            "POST",
            OPINION,
            body=urllib.parse.urlencode(data).encode(),
            headers={**extra, "Content-Type": "application/x-www-form-urlencoded"},
            label="public 意见 POST",
            keep_body=True,
        )
        if acks.expect(r, r.status == 302):
            with acks.lock:
                acks.opinions.add(found.group(1))

    for i in range(round(0.2 * span * scale)):
        address = f"10.{rng.randint(1, 254)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"
        station = rng.choice(world.stations)
        jobs.append((rng.uniform(0, span), partial(opinion, address=address, station=station, i=i)))
    return jobs


def push_jobs(world: World, span: float, rng: random.Random, acks: Acks) -> Jobs:
    """The finance bureau's system: a push of 100 payments every 15 s."""

    def push(driver: Driver, records: list[dict[str, str]], n: int) -> None:
        r = post_json(
            driver.browser(),
            "/api/v1/budget/payments/batches",
            records,
            {
                "Authorization": f"Bearer {world.push_token}",
                "Idempotency-Key": f"mixed-{world.tag}-{n}",
            },
            "data 预算支付推送 POST",
        )
        if acks.expect(r, r.status in (200, 201)):
            with acks.lock:
                acks.pushed.update(x["PAY_APP_NO"] for x in records)

    jobs: Jobs = []
    for n in range(int(span // 15)):
        records = []
        for k in range(100):
            record = dict(rng.choice(world.push_templates))
            record["PAY_APP_NO"] = f"MIX{world.tag}{n:03d}{k:03d}"
            records.append(record)
        jobs.append((5 + 15 * n, partial(push, records=records, n=n)))
    return jobs


def workload(
    world: World, span: float, scale: float, seed: int, acks: Acks, deputies: int
) -> tuple[Jobs, SiteDriver]:
    rng = random.Random(seed)
    direct = SiteDriver(list(APP_PORTS), timeout=60)
    jobs = (
        deputy_jobs(world, span, rng, acks, deputies)
        + staff_jobs(world, span, rng, acks)
        + unit_jobs(world, span, rng, acks)
        + nominee_jobs(world, span, rng, acks)
        + public_jobs(world, span, scale, rng, acks, direct)
        + push_jobs(world, span, rng, acks)
    )
    return jobs, direct


# -- figures ------------------------------------------------------------------------------------
def report(results: list[Result], wall: float, acks: Acks) -> bool:
    by_label: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_label[r.label].append(r)
    base = figures(by_label[HEALTH], wall)
    print(
        f"\n  {'page':<28} {'n':>5} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6}"
        f" {'err':>4} {'unexp':>5}  p50×  p99×  statuses",
    )
    met = True
    for label in sorted(by_label, key=lambda x: (x != HEALTH, x)):
        f = figures(by_label[label], wall)
        statuses = " ".join(f"{s or 'none'}×{n}" for s, n in sorted(f.statuses.items()))
        bad = f.errors or acks.unexpected[label] or f.p99 >= TARGET_P99
        met = met and not bad
        print(
            f"  {label:<28} {f.count:>5} {f.per_second:>6.1f} {f.p50 * 1000:>6.0f} "
            f"{f.p95 * 1000:>6.0f} {f.p99 * 1000:>6.0f} {f.worst * 1000:>6.0f} {f.errors:>4} "
            f"{acks.unexpected[label]:>5} {f.p50 / base.p50:>5.1f} {f.p99 / base.p99:>5.1f}  "
            f"{statuses}{'  ← over target' if bad else ''}"
        )
    total = figures(results, wall)
    print(
        f"  {'all':<28} {total.count:>5} {total.per_second:>6.1f} {total.p50 * 1000:>6.0f} "
        f"{total.p95 * 1000:>6.0f} {total.p99 * 1000:>6.0f} {total.worst * 1000:>6.0f} "
        f"{total.errors:>4} {sum(acks.unexpected.values()):>5}"
    )
    for label, sample in acks.samples.items():
        print(f"    unexpected {label}: {sample[:300]}")
    print(
        f"  target (no errors, p99 < {TARGET_P99 * 1000:.0f} ms on every page): "
        f"{'met' if met else 'NOT met'}"
    )
    return met


def check_writes(world: World, acks: Acks) -> bool:
    from renda.budget.models import Payment
    from renda.exams.models import Answer
    from renda.livelihood.models import Participation
    from renda.meetings.models import CheckIn
    from renda.stations.models import Opinion
    from renda.suggestions.models import Reply

    rows = {
        "签到 (check-ins)": (
            len(acks.checkins),
            CheckIn.objects.filter(meeting=world.checkin_meeting).count(),
        ),
        "选票 (ballots)": (
            len(acks.ballots),
            Participation.objects.filter(round=world.round_).count(),
        ),
        "群众意见 (opinions)": (
            len(acks.opinions),
            Opinion.objects.filter(form_token__in=acks.opinions).count(),
        ),
        "答复 (replies)": (
            len(acks.replies),
            Reply.objects.filter(suggestion_id__in=[pk for _, pk in world.replies]).count(),
        ),
        "推送支付 (pushed payments)": (
            len(acks.pushed),
            Payment.objects.filter(voucher_no__startswith=f"MIX{world.tag}").count(),
        ),
    }
    saved = Answer.objects.filter(attempt__enrolment_id__in=[e for _, e, _ in world.nominees])
    print(
        f"\n  writes acknowledged → found in the database (autosaves acknowledged: {acks.saves}, "
        f"answers holding a value: {saved.exclude(version=0).count()})"
    )
    ok = True
    for name, (acked, found) in rows.items():
        good = found == acked
        ok = ok and good
        print(f"    {name}: {acked} acknowledged, {found} stored{'' if good else '  ← MISMATCH'}")
    return ok


def solo(world: World, repeats: int) -> None:
    """Each GET page of the mix, `repeats` times in a row from one client, before the load:
    the time a page costs on these servers without queueing, and its ratio to the health
    check's, measured the same way."""
    acks = Acks()
    staff = next(login for login, budget in world.staff_logins if budget)
    deputy = next(iter(world.deputy_logins.values()))
    officer, suggestion = world.replies[0]
    nominee, enrolment, _ = world.nominees[0]
    pages: list[tuple[Login | None, str, str]] = [
        (None, "/api/v1/health", HEALTH),
        (None, "/", "public 首页"),
        (None, "/suggestions/public/", "public 建议公开 (list)"),
        (None, "/livelihood/public/projects/", "public 民生实事 (list)"),
        (None, "/stations/public/", "public 联络站 (list)"),
        (None, "/portal/deputies/", "public 代表名录 (list)"),
        (deputy, "/workbench/", "deputy 工作台"),
        (deputy, "/suggestions/me/", "deputy 我的建议 (list)"),
        (deputy, f"/meetings/mine/{world.vote_meeting.pk}/", "deputy 会议 (detail)"),
        (deputy, "/documents/mine/", "deputy 知情知政 (list)"),
        (deputy, "/livelihood/mine/", "deputy 我的票决 (list)"),
        (deputy, f"/livelihood/rounds/{world.round_.pk}/ballot/", "deputy 选票页 GET"),
        (staff, "/workbench/", "staff 工作台"),
        (staff, "/suggestions/", "staff 建议 (list)"),
        (staff, f"/suggestions/{suggestion}/", "staff 建议 (detail)"),
        (staff, f"/meetings/{world.checkin_meeting.pk}/members/", "staff 签到名单 (list)"),
        (staff, f"/livelihood/votes/{world.round_.vote_id}/", "staff 票决 (detail)"),
        (staff, "/stations/opinions/", "staff 群众意见 (list)"),
        (staff, f"/budget/payments/?year={world.budget_year}", "staff 支付凭证 (list)"),
        (staff, f"/budget/units/{world.unit_ids[0]}/", "staff 预算单位 (detail)"),
        (staff, "/budget/dashboard/", "staff 预算监督总览"),
        (officer, "/suggestions/unit/", "unit 承办建议 (list)"),
        (officer, f"/suggestions/{suggestion}/", "unit 建议 (detail)"),
        (nominee, f"/exams/mine/{enrolment}/exam/", "nominee 试卷 GET"),
    ]
    jobs = [
        (0.0, partial(page_job, login, path, label, acks))
        for login, path, label in pages
        for _ in range(repeats)
    ]
    with https_driver():
        driver, wall, _ = servers.run_load([SITE_PORT], jobs, threads=1, timeout=60)
    by_label: dict[str, list[Result]] = defaultdict(list)
    for r in driver.results:
        by_label[r.label].append(r)
    base = figures(by_label[HEALTH]).p50
    print(f"\n  one client, {repeats} times each in a row ({load_average()}):")
    print(f"  {'page':<28} {'p50 ms':>7} {'max ms':>7}  p50×health  statuses")
    for label, results in by_label.items():
        f = figures(results)
        statuses = " ".join(f"{s or 'none'}×{n}" for s, n in sorted(f.statuses.items()))
        print(
            f"  {label:<28} {f.p50 * 1000:>7.0f} {f.worst * 1000:>7.0f}  {f.p50 / base:>9.1f}"
            f"  {statuses}{'  unexpected' if acks.unexpected[label] else ''}"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--scale", type=float, default=1.0, help="staff, nominees, public")
    parser.add_argument("--threads", type=int, default=160)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument(
        "--deputies", type=int, default=SESSION_DEPUTIES, help="deputies active (peak: 600)"
    )
    parser.add_argument("--solo", type=int, default=5, help="one-client repeats per page")
    args = parser.parse_args(argv)

    up = prod_command("up")  # does nothing when it runs already (someone's make prod-up)
    if up.returncode:
        print(up.stdout + up.stderr)
        return 2
    started_here = "already running" not in up.stdout
    print(
        "topology started here" if started_here else "topology already running: used, left running"
    )
    try:
        setup_django()
        print(f"bench_mixed: {prod.SITE} (nginx, HTTPS) → gunicorn {APP_PORTS}; {load_average()}")
        ensure_demo()
        world = prepare(args.scale, args.seed)
        solo(world, args.solo)
        acks = Acks()
        jobs, direct = workload(world, args.seconds, args.scale, args.seed, acks, args.deputies)
        print(
            f"  {len(jobs)} jobs over {args.seconds:.0f} s, {args.threads} client threads; "
            f"before the run: {load_average()}",
            flush=True,
        )
        with https_driver():
            driver, wall, lag = servers.run_load(
                [SITE_PORT], jobs, threads=args.threads, timeout=60
            )
        results = driver.results + direct.results
        print(
            f"  wall {wall:.0f} s, worst start lag {lag * 1000:.0f} ms; after the run: "
            f"{load_average()}"
        )
        report(results, wall, acks)
        stored = check_writes(world, acks)
        print(
            f"  uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}"
        )
        return 0 if stored else 1
    finally:
        if started_here:
            down = prod_command("down", timeout=300)
            print("topology stopped (prod.py down)" if not down.returncode else down.stdout)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
