"""Benchmark of issue 15: the check-in burst and the notice to every deputy, on PostgreSQL with
several gunicorn app servers (bench/servers.py).

(a) 签到 burst: 600 deputies, each logged in on a phone, scan the venue's QR code of a congress
session in progress within its check-in window: open the check-in page, press 签到, land on
their meeting page. 600 scans spread at random over 60 s, and the same "as fast as possible"
(16 clients at once) to show the ceiling, with 2 and with 4 app servers. About 5% of the
deputies scan again on purpose: half tap the button twice at once (two POSTs in flight), half
scan again a few seconds later. Afterwards the CheckIn rows are counted against the 600:
lost = a scan acknowledged (302 to the meeting page) without a row; duplicate = a member with
more than one row, or a scan acknowledged twice; the repeats must all be refused. The health
check on the same servers at the same arrival rate is the trivial view the p99 is set against.

(b) 会议通知 to 597 deputies: the time of `notify_members` (inbox rows, SMS rows, the queue
tasks) and the time to send every message through the console backend by running the queued
tasks as the Huey consumer does, and the console backend's memory bound.

    .venv/bin/python bench/bench_meetings.py [--quick]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust); creates and drops its own database.
Figures only: it never fails on timing (target p99 < 200 ms is printed as met or not).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import threading
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import servers  # noqa: E402
from servers import AppServers, BenchSite, Driver, Login, Timer, summarize  # noqa: E402

DEPUTIES = 600
NOTICE_TO = 597
WINDOW_SECONDS = 60.0
REPEAT_SHARE = 0.05
FAST_CLIENTS = 16
TARGET_P99 = 0.200
CHECK_IN_PATH = "/meetings/check-in/"
TOWNSHIPS = [
    ("431381001", "冷水江街道", "subdistrict"),
    ("431381002", "锡矿山街道", "subdistrict"),
    ("431381003", "沙塘湾街道", "subdistrict"),
    ("431381004", "布溪街道", "subdistrict"),
    ("431381100", "禾青镇", "township"),
    ("431381101", "铎山镇", "township"),
    ("431381102", "金竹山镇", "township"),
    ("431381103", "渣渡镇", "township"),
    ("431381104", "三尖镇", "township"),
    ("431381200", "中连乡", "township"),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏"
)
GIVEN = "建国志强秀英海燕伟明丽华文军春梅小红国平桂兰红霞德胜永红卫东玉兰晓燕新民"


# -- the county, the term, 600 deputies with accounts ---------------------------------------
def id_number(i: int) -> str:
    from renda.lib.idcard import id_check_digit

    birth = dt.date(1965, 1, 1) + dt.timedelta(days=i // 900 + 37 * (i % 300))
    first17 = f"431381{birth:%Y%m%d}{100 + i % 900:03d}"
    return first17 + id_check_digit(first17)


def seed() -> tuple[Any, Any]:
    """Through the services: regions, the congress, a staff account, the term, 600 deputies
    (the bulk registration of the Excel import) and their accounts (the bulk issuance: SMS
    log in, no password)."""
    from renda.accounts import services as account_services
    from renda.core.models import Organization, Region
    from renda.core.roles import Role
    from renda.deputies import services as deputy_services
    from renda.deputies.models import Deputy

    county = Region.objects.create(code="431381", name="冷水江市", level=Region.Level.COUNTY)
    congress = Organization.objects.create(
        name="冷水江市人民代表大会", code="RD", kind="congress", region=county
    )
    office = Organization.objects.create(
        name="冷水江市人大常委会办公室", code="RD-BGS", kind="office", region=county
    )
    staff = account_services.create_user(
        actor=None,
        username="staff",
        name="会务工作人员",
        role=Role.STAFF,
        password="Bench-Passw0rd!",
        organization=office,
        mobile="13800000001",
        must_change_password=False,
    )
    term = deputy_services.create_term(
        actor=None, congress=congress, level="city", number=18, start_date=dt.date(2021, 12, 28)
    )
    regions = [
        Region.objects.create(code=code, name=name, level=level, parent=county)
        for code, name, level in TOWNSHIPS
    ]
    records = (
        {
            "term": term,
            "name": SURNAMES[i % len(SURNAMES)]
            + GIVEN[(i * 7) % len(GIVEN)]
            + GIVEN[(i * 13 + 1) % len(GIVEN)],
            "party": "中共党员" if i % 3 else "群众",
            "category": Deputy.Category.WORKER,
            "region": regions[i % len(regions)],
            "id_number": id_number(i),
            "mobile": f"139{i:08d}",
            "employer": f"{TOWNSHIPS[i % len(TOWNSHIPS)][1]}第{i % 50 + 1}单位",
            "occupation": "职员",
            "elected_on": dt.date(2021, 11, 20),
        }
        for i in range(DEPUTIES)
    )
    with Timer() as t:
        deputy_services.create_deputies_in_bulk(actor=staff, records=records)
    with Timer() as a:
        issued = deputy_services.issue_term_accounts(actor=staff, term=term)
    print(
        f"  seeded {DEPUTIES} deputies in {t.seconds:.1f} s, "
        f"{len(issued.created)} accounts in {a.seconds:.1f} s"
    )
    return staff, term


def new_meeting(staff: Any, term: Any, number: int, title: str) -> Any:
    from django.utils import timezone

    from renda.meetings import services

    start = timezone.now() + dt.timedelta(minutes=10)  # the window opens an hour before
    return services.create_meeting(
        actor=staff,
        kind="congress",
        term=term,
        number=number,
        start_at=start,
        end_at=start + dt.timedelta(hours=4),
        venue="市人民会堂",
        title=title,
    )


def run_queued_tasks() -> int:
    """What a Huey consumer does, in this process: take each queued task and run it."""
    from huey.contrib.djhuey import HUEY

    done = 0
    while (task := HUEY.dequeue()) is not None:
        HUEY.execute(task)
        done += 1
    return done


# -- (b) the notice ---------------------------------------------------------------------------
def notice_benchmark(staff: Any, meeting: Any) -> None:
    from django.db import connection

    from renda.core.models import Notification, SmsMessage
    from renda.core.sms.backends import ConsoleBackend
    from renda.meetings import services

    members = meeting.members.count()
    print(f"(b) 会议通知 to {members} deputies")
    sms_before = SmsMessage.objects.count()
    inbox_before = Notification.objects.count()
    queries = servers_query_counter()
    with connection.execute_wrapper(queries), Timer() as queued:
        notified = services.notify_members(actor=staff, meeting=meeting)
    sms = SmsMessage.objects.count() - sms_before
    inbox = Notification.objects.count() - inbox_before
    print(
        f"  queue: notify_members {queued.seconds * 1000:.0f} ms for {notified} members "
        f"({inbox} inbox rows + {sms} SMS rows and tasks, {queries.count} queries; "
        f"{(inbox + sms) / queued.seconds:.0f} messages/s)",
        flush=True,
    )
    ConsoleBackend.sent.clear()
    with Timer() as sent:
        tasks = run_queued_tasks()
    statuses = Counter(
        SmsMessage.objects.filter(pk__gt=0).order_by("-pk")[:sms].values_list("status", flat=True)
    )
    print(
        f"  send: {tasks} queued tasks through the console backend in {sent.seconds:.2f} s "
        f"({tasks / sent.seconds:.0f} messages/s); statuses of the {sms} rows: "
        + ", ".join(f"{k}×{v}" for k, v in sorted(statuses.items())),
        flush=True,
    )
    last = SmsMessage.objects.order_by("-pk").first()
    kept = len(ConsoleBackend.sent)
    print(
        f"  console backend memory: keeps {kept} of the {tasks} messages just sent "
        f"(bound {ConsoleBackend.sent.maxlen}); newest kept is the newest sent: "
        f"{bool(last and ConsoleBackend.sent and ConsoleBackend.sent[-1][0] == last.mobile)}"
    )
    again = services.notify_members(actor=staff, meeting=meeting)
    print(f"  notify again: {again} members notified (nothing is sent twice)", flush=True)


class servers_query_counter:  # noqa: N801 - used like a function
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


# -- (a) the check-in burst -------------------------------------------------------------------
class Outcomes:
    """What each deputy's scans got back (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acks: Counter[int] = Counter()  # deputy → scans acknowledged as a check-in
        self.refused_repeat: Counter[int] = Counter()
        self.other: list[str] = []
        self.scan_seconds: list[float] = []

    def add(self, deputy: int, response: servers.Result, repeat: bool) -> None:
        with self.lock:
            if response.status == 302 and "/meetings/mine/" in response.location:
                self.acks[deputy] += 1
            elif response.status == 200 and "不能重复签到" in response.body:
                self.refused_repeat[deputy] += 1
            else:
                self.other.append(f"{response.status} {response.body[-300:]!r}")


def scan_job(
    login: Login, deputy: int, code: str, outcomes: Outcomes, repeat: str, pause: float
) -> Any:
    page = f"{CHECK_IN_PATH}?{urllib.parse.urlencode({'code': code})}"

    def post(browser: Any, label: str) -> servers.Result:
        return browser.post(CHECK_IN_PATH, {"code": code}, label, keep_body=True)

    def job(driver: Driver) -> None:
        browser = driver.browser(login)
        opened = browser.get(page, "open check-in page")
        if repeat == "double":  # two taps at once: two POSTs in flight together
            barrier = threading.Barrier(2)
            answers: list[servers.Result] = []

            def tap() -> None:
                barrier.wait()
                answers.append(post(browser, "签到 POST"))

            taps = [threading.Thread(target=tap) for _ in range(2)]
            for t in taps:
                t.start()
            for t in taps:
                t.join()
        else:
            answers = [post(browser, "签到 POST")]
        for answer in answers:
            outcomes.add(deputy, answer, repeat=False)
        acked = [a for a in answers if a.status == 302]
        total = opened.latency + max(a.latency for a in answers)
        if acked:
            landed = browser.get(urllib.parse.urlsplit(acked[0].location).path, "meeting page")
            total += landed.latency
        with outcomes.lock:
            outcomes.scan_seconds.append(total)
        if repeat == "again":
            import time

            time.sleep(pause)
            browser.get(page, "open check-in page (again)")
            outcomes.add(deputy, post(browser, "签到 POST (again)"), repeat=True)

    return job


def burst(
    app: AppServers,
    staff: Any,
    meeting: Any,
    logins: dict[int, Login],
    *,
    spread: float,
    clients: int,
    seed: int,
) -> dict[str, Any]:
    from django.db.models import Count

    from renda.core.models import AuditEvent
    from renda.meetings import services
    from renda.meetings.models import CheckIn

    services.notify_members(actor=staff, meeting=meeting)
    services.open_meeting(actor=staff, meeting=meeting)
    code = services.make_code(meeting)
    members = list(meeting.members.values_list("deputy_id", "deputy__user_id"))
    rng = random.Random(seed)
    repeaters = rng.sample(range(len(members)), round(len(members) * REPEAT_SHARE))
    kinds = {index: ("double" if n % 2 else "again") for n, index in enumerate(repeaters)}
    outcomes = Outcomes()
    jobs = []
    for index, (deputy, user) in enumerate(members):
        offset = rng.uniform(0, spread) if spread else 0.0
        pause = min(rng.uniform(2, 6), max(0.0, spread - offset)) if spread else 0.0
        job = scan_job(logins[user], deputy, code, outcomes, kinds.get(index, ""), pause)
        jobs.append((offset, job))
    driver, wall, lag = servers.run_load(app, jobs, threads=clients)
    label = f"spread over {spread:.0f} s" if spread else "as fast as possible"
    print(
        f"  check-in burst, {label}, {clients} clients: wall {wall:.1f} s, "
        f"worst start lag {lag * 1000:.0f} ms",
        flush=True,
    )
    by_label: dict[str, list[servers.Result]] = defaultdict(list)
    for r in driver.results:
        by_label[r.label].append(r)
    figures = {}
    for name in (
        "open check-in page",
        "签到 POST",
        "meeting page",
        "open check-in page (again)",
        "签到 POST (again)",
    ):
        if by_label.get(name):
            figures[name] = summarize(by_label[name], label=name, wall=wall)
    acked = set(outcomes.acks)
    checkins = summarize(
        [r for r in by_label["签到 POST"] if r.status == 302],
        label="acknowledged check-ins",
        wall=wall,
        unit="check-ins",
    )
    scan_p50 = servers.percentile(outcomes.scan_seconds, 50)
    scan_p99 = servers.percentile(outcomes.scan_seconds, 99)
    print(
        f"  whole scan (page + 签到 + meeting page): p50 {scan_p50 * 1000:.0f} ms, "
        f"p99 {scan_p99 * 1000:.0f} ms"
    )
    rows = CheckIn.objects.filter(meeting=meeting)
    row_count = rows.count()
    with_row = set(rows.values_list("member__deputy_id", flat=True))
    per_member = rows.values("member").annotate(n=Count("id")).filter(n__gt=1).count()
    lost = len(acked - with_row)
    double_acks = sum(1 for n in outcomes.acks.values() if n > 1)
    audited = AuditEvent.objects.filter(
        action="meeting.check_in", target_type__endswith="meeting", target_id=str(meeting.pk)
    ).count()
    sent_repeats = len(repeaters)
    refused = sum(outcomes.refused_repeat.values())
    print(
        f"  rows: {row_count} CheckIn rows for {len(members)} members; lost {lost}; "
        f"duplicates {per_member} (members with 2+ rows) + {double_acks} (scans acknowledged "
        f"twice); repeats sent {sent_repeats} ({sum(1 for k in kinds.values() if k == 'double')}"
        f" double taps, {sum(1 for k in kinds.values() if k == 'again')} later), refused "
        f"{refused}; audit events {audited}; other answers {len(outcomes.other)}; "
        f"server tracebacks {len(app.server_errors())}",
        flush=True,
    )
    for text in outcomes.other[:3]:
        print(f"    other: {text}")
    for text in app.server_errors()[:2]:
        print(f"    traceback: {text[-1500:]}")
    post = figures["签到 POST"]
    return {
        "post": post,
        "checkins": checkins,
        "lost": lost,
        "duplicates": per_member + double_acks,
        "rows": row_count,
    }


def health(app: AppServers, *, count: int, spread: float, clients: int) -> servers.Figures:
    def job(driver: Driver) -> None:
        driver.browser().get(servers.HEALTH_PATH, "health")

    rng = random.Random(count)
    jobs = [(rng.uniform(0, spread) if spread else 0.0, job) for _ in range(count)]
    driver, wall, _ = servers.run_load(app, jobs, threads=clients)
    pace = f"{count / spread:.0f}/s" if spread else "as fast as possible"
    label = f"health check (trivial view), {pace}"
    return summarize(driver.results, label=label, wall=wall)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    window = 15.0 if quick else WINDOW_SECONDS
    counts = [2] if quick else [2, 4]
    problem = servers.postgres_answers()
    if problem:
        print(f"PostgreSQL（{servers.PG_ADMIN_URL}）不可用，跳过：{problem}")
        return 0
    print(f"machine: {servers.load_average()}")
    with BenchSite("meetings") as site:
        print(f"  {site.describe()}")
        from django.contrib.auth import get_user_model

        from renda.deputies import services as deputy_services
        from renda.deputies.models import Deputy

        staff, term = seed()
        # The accounts' SMS of the issuance go out first, so that (b) times only its own.
        run_queued_tasks()
        meetings = {
            (n, mode): new_meeting(staff, term, 1 + 2 * i + j, f"第十八届第{1 + 2 * i + j}次会议")
            for i, n in enumerate(counts)
            for j, mode in enumerate(("spread", "fast"))
        }
        # The county has 597 deputies: three of the 600 leave before the notice's meeting.
        for deputy in Deputy.objects.filter(term=term).order_by("-pk")[: DEPUTIES - NOTICE_TO]:
            deputy_services.end_mandate(
                actor=staff, deputy=deputy, ended_on=dt.date(2024, 6, 1), reason="moved"
            )
        notice_meeting = new_meeting(staff, term, 20, "第十八届第二十次会议")
        notice_benchmark(staff, notice_meeting)

        users = get_user_model().objects.filter(deputy__term=term)
        with Timer() as t:
            logins = {login.user_id: login for login in servers.make_sessions(users)}
        print(f"  {len(logins)} logged-in sessions written in {t.seconds * 1000:.0f} ms")
        print(f"(a) 签到 burst: {DEPUTIES} deputies")
        summary = []
        for n in counts:
            with AppServers(site, n) as app:
                print(f" {app.describe()}", flush=True)
                rate = DEPUTIES / window
                base = health(app, count=round(rate * 20), spread=20.0, clients=64)
                spread = burst(
                    app,
                    staff,
                    meetings[(n, "spread")],
                    logins,
                    spread=window,
                    clients=64,
                    seed=n,
                )
                base_fast = health(app, count=DEPUTIES, spread=0.0, clients=FAST_CLIENTS)
                fast = burst(
                    app,
                    staff,
                    meetings[(n, "fast")],
                    logins,
                    spread=0.0,
                    clients=FAST_CLIENTS,
                    seed=100 + n,
                )
                summary.append((n, spread, base, fast, base_fast))
        print("summary (签到 POST):")
        for n, spread, base, fast, base_fast in summary:
            p99 = spread["post"].p99
            print(
                f"  N={n}: spread {spread['checkins'].per_second:.1f} check-ins/s, "
                f"p50 {spread['post'].p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms "
                f"(target < {TARGET_P99 * 1000:.0f} ms: {'met' if p99 < TARGET_P99 else 'NOT met'}; "
                f"×{p99 / base.p99:.1f} the health check's p99); "
                f"ceiling {fast['checkins'].per_second:.1f} check-ins/s, "
                f"p50 {fast['post'].p50 * 1000:.0f} ms, p99 {fast['post'].p99 * 1000:.0f} ms "
                f"(health ceiling {base_fast.per_second:.0f} req/s); "
                f"lost {spread['lost'] + fast['lost']}, "
                f"duplicates {spread['duplicates'] + fast['duplicates']}"
            )
    print(f"machine after: {servers.load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
