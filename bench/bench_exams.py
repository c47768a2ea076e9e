"""Benchmark of issue 16: the exam's autosave under 1,000 examinees, and drawing papers from a
3,000-question bank. On PostgreSQL with several gunicorn app servers (bench/servers.py).

(a) Papers. Seeding: the 3,000 ready questions (19 laws × five types × difficulties 1–5) and
their versions are written with `bulk_create` in the shape the bank's services produce; the
examinees and their enrolments likewise. The blueprint and the sittings go through the
services, so the save-time feasibility check is measured too. Prints: the feasibility check;
1,000 individual papers in one batch (total, per paper ms, queries per paper) and the exposure
balance afterwards (max − min usage per cell); a rerun of one paper's draw from its seed; two
parallel forms (time, queries, mean difficulty per form, shared questions) and the lot with 40
papers from the drawn form.

(b) Autosave. The 1,000 examinees of (a) start their attempts (through the service, with the
room's password, from the room's network 127.0.0.0/8) and each gets a logged-in session. Each
saves one answer every `--interval` seconds (10 s: the issue's pace, 100 saves/s for 1,000
examinees) by POSTing to the real save endpoint (`/exams/mine/<enrolment>/exam/save/`, form
fields q, v, value, with the CSRF cookie and header) as the page's script does, working through
their own paper in its order and now and then going back to change an earlier answer (a new
version of it), short answers growing as they are typed. Every minute of the 60-minute exam
carries the same load, so the exam is compressed to `--saves` rounds per examinee (6 by
default: one minute at the real rate); `--interval 5` compresses it further, to twice the rate.
The client is open loop (each save starts at its moment, on a free client thread); a 409 (the
server has a newer version than the client knew, e.g. after an answer that never came back) is
answered as the page does: take the server's version and send again. Runs with 2 and with 4 app
servers, `--repeats` times each, on the same attempts.

After every run, every answer the client got acknowledged (200, with its version and value) is
compared with the Answer row: lost = the row has an older version, or the acknowledged version
with another value. The health check (a trivial view) on the same servers at the same rate is
the baseline the latencies are set against. Target p99 < 200 ms on this machine.

    .venv/bin/python bench/bench_exams.py [--quick] [--examinees N] [--saves K]
        [--interval S] [--servers 2,4] [--repeats R] [--no-autosave]

`--quick`: 200 examinees, 3 saves each, 2 servers only. Needs PostgreSQL on 127.0.0.1:5432
(user postgres, trust); creates and drops its own database. Figures only: it never fails on
timing. Exit status 1 on a lost answer.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import servers  # noqa: E402
from servers import AppServers, BenchSite, Driver, Login, Timer, summarize  # noqa: E402

BANK = 3_000
EXAMINEES = 1_000
FORM_EXAMINEES = 40
TARGET_P99 = 0.200
CLIENT_THREADS = 96
NETWORK = "127.0.0.0/8"
TYPES = (("single", 40), ("multiple", 20), ("true_false", 25), ("fill_in", 10), ("short_answer", 5))
COMMON = (
    ("宪法", "single", 5),
    ("宪法", "multiple", 3),
    ("宪法", "true_false", 4),
    ("宪法", "short_answer", 1),
    ("地方组织法", "single", 4),
    ("代表法", "single", 3),
    ("监督法", "single", 3),
    ("监督法", "fill_in", 2),
    ("选举法", "true_false", 3),
)
POSITION = (
    ("行政处罚法", "single", 4),
    ("行政许可法", "single", 3),
    ("行政复议法", "multiple", 3),
    ("行政诉讼法", "true_false", 3),
    ("国家赔偿法", "single", 2),
)
SHORT_TEXT = (
    "人民代表大会制度是我国的根本政治制度。各级人民代表大会都由民主选举产生，对人民负责，"
    "受人民监督。国家行政机关、监察机关、审判机关、检察机关都由人民代表大会产生，对它负责，"
    "受它监督。县级以上的地方各级人民代表大会常务委员会监督本级人民政府、监察委员会、"
    "人民法院和人民检察院的工作。"
)


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@contextlib.contextmanager
def counted(connection: Any) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


def seed_bank() -> None:
    from renda.exams.models import Question, QuestionVersion, Topic

    laws = list(Topic.objects.filter(parent=None).order_by("order"))
    shares = [kind for kind, weight in TYPES for _ in range(weight)]
    questions = [
        Question(code=f"B-{i:05d}", topic=laws[i % len(laws)], status="ready") for i in range(BANK)
    ]
    Question.objects.bulk_create(questions, batch_size=1000)
    questions = list(Question.objects.order_by("pk"))
    versions = []
    for i, question in enumerate(questions):
        kind = shares[(i // len(laws)) % len(shares)]
        options: list[dict[str, str]] = []
        answer: dict[str, Any] = {}
        if kind == "single":
            options = [
                {"text": t, "weight": w, "feedback": ""}
                for t, w in zip("甲乙丙丁", ("100", "0", "0", "0"), strict=True)
            ]
        elif kind == "multiple":
            options = [
                {"text": t, "weight": w, "feedback": ""}
                for t, w in zip("甲乙丙丁", ("50", "50", "0", "0"), strict=True)
            ]
        elif kind == "true_false":
            answer = {"truth": i % 2 == 0}
        elif kind == "fill_in":
            answer = {"accepted": ["人民"]}
        else:
            answer = {"reference": "要点"}
        versions.append(
            QuestionVersion(
                question=question,
                number=1,
                type=kind,
                stem=f"{question.topic.name}第{i}题",
                options=options,
                answer=answer,
                difficulty=1 + (i * 7 // len(laws)) % 5,
                score=Decimal(2),
                fingerprint=f"{i:064d}",
            )
        )
    QuestionVersion.objects.bulk_create(versions, batch_size=1000)
    by_question = dict(QuestionVersion.objects.values_list("question_id", "pk"))
    for question in questions:
        question.current_id = by_question[question.pk]
    Question.objects.bulk_update(questions, ["current"], batch_size=1000)


def examinees(sitting: Any, count: int, prefix: str) -> None:
    from renda.accounts.models import User
    from renda.core.roles import Role
    from renda.exams.models import Enrolment

    User.objects.bulk_create(
        [User(username=f"{prefix}{i}", name=f"考生{i}", role=Role.NOMINEE) for i in range(count)],
        batch_size=1000,
    )
    users = User.objects.filter(username__startswith=prefix).order_by("pk")
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                sitting=sitting,
                user=u,
                seat=i + 1,
                slip_number=f"{prefix}{i:05d}",
                reason="基准测试",
            )
            for i, u in enumerate(users)
        ],
        batch_size=1000,
    )


def specs() -> list[Any]:
    from renda.exams.models import Topic
    from renda.exams.services.blueprints import CellSpec

    laws = {t.name: t for t in Topic.objects.filter(parent=None)}
    return [
        CellSpec(section, laws[law], kind, 1, 5, count, Decimal(2))
        for section, rows in (("common", COMMON), ("position", POSITION))
        for law, kind, count in rows
    ]


# -- (a) papers ------------------------------------------------------------------------------
def grant_exams_duty(user: Any) -> None:
    from renda.accounts.models import PersonalDuty
    from renda.core.roles import Duty

    PersonalDuty.objects.create(user=user, duty=Duty.EXAMS, reason="基准测试", granted_by=user)


def draw_papers(count: int) -> Any:
    """(a); returns the sitting of individual papers, whose window is open now (60 minutes
    to answer), for (b)."""
    from django.db import connection
    from django.utils import timezone

    from renda.accounts.models import User
    from renda.exams.models import Paper
    from renda.exams.services import papers
    from renda.exams.services.blueprints import pools, save_blueprint
    from renda.exams.services.sittings import create_sitting

    with Timer() as t:
        seed_bank()
    print(f"bank: {BANK:,} ready questions over 19 laws seeded in {t.seconds:.1f} s")
    cells = specs()
    per_paper = sum(c.count for c in cells)
    with counted(connection) as q, Timer() as t:
        plan = save_blueprint(
            actor=None,
            blueprint=None,
            name="政府组成部门负责人任前考试",
            position_category="government",
            parallel_forms=2,
            cells=cells,
        )
    print(
        f"blueprint save with feasibility check ({len(cells)} cells, {per_paper} questions, 2 forms): {t.seconds * 1000:.1f} ms, {q.count} queries"
    )
    now = timezone.now()
    window: dict[str, Any] = {
        "starts_at": now - dt.timedelta(minutes=5),
        "ends_at": now + dt.timedelta(hours=3),
        "duration_minutes": 60,
        "pass_mark": Decimal(60),
        "venue": "考场",
        "blueprint": plan,
        "allowed_networks": NETWORK,
    }
    exam = create_sitting(actor=None, title="一人一卷", **window)
    examinees(exam, count, "ind")
    with counted(connection) as q, Timer() as t:
        made = papers.generate_papers(actor=None, sitting=exam)
    individual_ms = t.seconds * 1000 / len(made)
    print(
        f"\n{len(made):,} individual papers ({per_paper} questions each): {t.seconds:.2f} s total, {individual_ms:.2f} ms per paper, {q.count} queries ({q.count / len(made):.3f} per paper)"
    )
    spreads = []
    for pool in pools(plan_specs := papers.specs_of(plan)):
        usage = papers.usage_of(i.version_id for i in pool)
        spreads.append(max(usage.values()) - min(usage.values()))
    print(
        f"exposure after {len(made):,} papers: max − min usage per cell = {spreads} (≤ 1 means balanced)"
    )
    demand = sum(c.count for c in plan_specs) * len(made)
    supply = sum(len(p) for p in pools(plan_specs))
    print(
        f"  ({demand:,} question slots drawn from {supply:,} eligible versions: {demand / supply:.1f} uses per version on average)"
    )
    paper = Paper.objects.get(pk=made[len(made) // 2].pk)
    with counted(connection) as q, Timer() as t:
        same = papers.paper_matches_its_draw(paper)
    print(
        f"rerun of one paper's draw from its seed: {'same paper' if same else 'DIFFERENT'} in {t.seconds * 1000:.1f} ms, {q.count} queries"
    )

    proctor = User.objects.create(username="proctor", name="监考", role="staff")
    grant_exams_duty(proctor)
    forms_exam = create_sitting(actor=None, title="A/B卷", mode="forms", form_count=2, **window)
    examinees(forms_exam, FORM_EXAMINEES, "frm")
    with counted(connection) as q, Timer() as t:
        a, b = papers.generate_forms(actor=proctor, sitting=forms_exam)
    ids_a = set(a.questions.values_list("version_id", flat=True))
    ids_b = set(b.questions.values_list("version_id", flat=True))
    print(
        f"\ntwo parallel forms: {t.seconds * 1000:.1f} ms, {q.count} queries; mean difficulty A {a.mean_difficulty} / B {b.mean_difficulty} (difference {abs(a.mean_difficulty - b.mean_difficulty)}); {len(ids_a)} + {len(ids_b)} questions, {len(ids_a & ids_b)} shared"
    )
    with counted(connection) as q, Timer() as t:
        lot = papers.draw_lot(actor=proctor, sitting=forms_exam)
    copy_ms = t.seconds * 1000 / FORM_EXAMINEES
    print(
        f"lot drawn ({lot.form.label}卷) and {FORM_EXAMINEES} papers made from it: {t.seconds * 1000:.1f} ms, {q.count} queries ({copy_ms:.2f} ms per paper)"
    )
    print(
        f"\nratio: a drawn individual paper costs {individual_ms / copy_ms:.2f}× a paper copied from the drawn form"
    )
    return exam


# -- (b) autosave ----------------------------------------------------------------------------
@dataclass
class Examinee:
    """One examinee's page: their paper (question number, type, option count) and what the
    server acknowledged per question (version, value), kept client side for the check."""

    enrolment: int
    login: Login
    questions: list[tuple[int, str, int]]
    rng: random.Random
    cookies: dict[str, str] = field(default_factory=dict)
    versions: dict[int, int] = field(default_factory=dict)
    acked: dict[int, tuple[int, Any]] = field(default_factory=dict)
    typed: Counter[int] = field(default_factory=Counter)
    step: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def path(self) -> str:
        return f"/exams/mine/{self.enrolment}/exam/save/"

    def next_save(self) -> tuple[int, Any]:
        """The next question answered: the paper in order, one time in five back to an
        earlier one to change it (once the paper is done, always an earlier one)."""
        if self.step >= len(self.questions) or (self.step and self.rng.random() < 0.2):
            order, kind, choices = self.rng.choice(self.questions[: max(1, self.step)])
        else:
            order, kind, choices = self.questions[self.step]
            self.step += 1
        return order, self.value(order, kind, choices)

    def value(self, order: int, kind: str, choices: int) -> Any:
        rng = self.rng
        if kind == "single":
            return rng.randrange(choices)
        if kind == "multiple":
            return sorted(rng.sample(range(choices), rng.randint(1, choices)))
        if kind == "true_false":
            return rng.random() < 0.5
        if kind == "fill_in":
            return rng.choice(("人民", "全国人民代表大会", "本级人民代表大会常务委员会"))
        self.typed[order] += rng.randint(20, 60)  # a short answer grows as it is typed
        return (SHORT_TEXT * 10)[: self.typed[order]]


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    acked: int = 0
    stale: int = 0
    other: Counter[str] = field(default_factory=Counter)

    def note(self, what: str) -> None:
        with self.lock:
            self.other[what] += 1


def _json(text: str) -> dict[str, Any]:
    with contextlib.suppress(ValueError):
        data = json.loads(text)
        if isinstance(data, dict):
            return data
    return {}


def save_job(examinee: Examinee, tally: Tally) -> Callable[[Driver], None]:
    def job(driver: Driver) -> None:
        with examinee.lock:
            order, value = examinee.next_save()
            browser = driver.browser(examinee.login)
            browser.cookies = examinee.cookies
            sent = json.dumps(value, ensure_ascii=False)
            for label in ("保存", "保存（409 后重发）"):
                base = examinee.versions.get(order, 0)
                form = {"q": str(order), "v": str(base), "value": sent}
                result = browser.post(examinee.path, form, label, keep_body=True)
                body = _json(result.body)
                if result.status == 200 and body.get("ok"):
                    examinee.versions[order] = body["version"]
                    examinee.acked[order] = (body["version"], body["value"])
                    with tally.lock:
                        tally.acked += 1
                    return
                if result.status == 409 and "version" in body:  # as the page does: rebase
                    examinee.versions[order] = body["version"]
                    with tally.lock:
                        tally.stale += 1
                    continue
                tally.note(f"{result.status} {result.error or body.get('error', '')}"[:120])
                return
            tally.note("409 twice")

    return job


def start_attempts(exam: Any) -> list[Examinee]:
    """Every examinee starts (the service, with the room's password, from the room's network)
    and gets a logged-in session; returns their pages."""
    from renda.accounts.models import User
    from renda.exams.models import Answer, Enrolment
    from renda.exams.services.attempts import start_attempt

    enrolments = list(
        Enrolment.objects.filter(sitting=exam).select_related("sitting", "user").order_by("pk")
    )
    with Timer() as t:
        for enrolment in enrolments:
            start_attempt(
                actor=enrolment.user, enrolment=enrolment, password=exam.password, ip="127.0.0.1"
            )
    print(
        f"  {len(enrolments):,} attempts started through the service in {t.seconds:.1f} s "
        f"({t.seconds * 1000 / len(enrolments):.1f} ms each)"
    )
    users = User.objects.filter(pk__in=[e.user_id for e in enrolments])
    logins = {login.user_id: login for login in servers.make_sessions(users)}
    papers: dict[int, list[tuple[int, str, int]]] = {e.pk: [] for e in enrolments}
    rows = (
        Answer.objects.filter(attempt__enrolment__sitting=exam)
        .order_by("attempt__enrolment_id", "order")
        .values_list(
            "attempt__enrolment_id",
            "order",
            "question__version__type",
            "question__version__options",
        )
    )
    for enrolment_id, order, kind, options in rows:
        papers[enrolment_id].append((order, kind, len(options or ())))
    return [
        Examinee(
            enrolment=e.pk,
            login=logins[e.user_id],
            questions=papers[e.pk],
            rng=random.Random(e.pk),
            cookies={
                "sessionid": logins[e.user_id].session_key,
                "csrftoken": logins[e.user_id].csrf,
            },
        )
        for e in enrolments
    ]


@dataclass
class Check:
    acknowledged: int  # answers (question × examinee) with an acknowledged version
    lost: int  # the row is older than what was acknowledged, or holds another value
    later: int  # the row is newer than the last acknowledgement (an answer that never came back)
    saves_in_db: int  # sum of the versions: every save the database took, over all runs
    acks_total: int  # every acknowledgement the client got, over all runs


def check_answers(exam: Any, pages: list[Examinee], acks_total: int) -> Check:
    from renda.exams.models import Answer

    stored = {
        (e, o): (v, value)
        for e, o, v, value in Answer.objects.filter(attempt__enrolment__sitting=exam).values_list(
            "attempt__enrolment_id", "order", "version", "value"
        )
    }
    acknowledged = lost = later = 0
    for page in pages:
        for order, (version, value) in page.acked.items():
            acknowledged += 1
            db_version, db_value = stored[(page.enrolment, order)]
            if db_version < version or (db_version == version and db_value != value):
                lost += 1
            elif db_version > version:
                later += 1
    return Check(acknowledged, lost, later, sum(v for v, _ in stored.values()), acks_total)


def health(app: AppServers, *, rate: float, seconds: float) -> servers.Figures:
    def job(driver: Driver) -> None:
        driver.browser().get(servers.HEALTH_PATH, "health")

    rng = random.Random(7)
    count = max(1, round(rate * seconds))
    jobs = [(rng.uniform(0, seconds), job) for _ in range(count)]
    driver, wall, _ = servers.run_load(app, jobs, threads=CLIENT_THREADS)
    return summarize(driver.results, label=f"health check (trivial view), {rate:.0f}/s", wall=wall)


def autosave_run(
    app: AppServers, exam: Any, pages: list[Examinee], *, saves: int, interval: float, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    tally = Tally()
    jobs = []
    for page in pages:
        phase = rng.uniform(0, interval)
        jobs += [(phase + k * interval, save_job(page, tally)) for k in range(saves)]
    driver, wall, lag = servers.run_load(app, jobs, threads=CLIENT_THREADS, timeout=60.0)
    print(
        f"  {len(pages):,} examinees × {saves} saves, one every {interval:g} s each "
        f"({len(pages) / interval:.0f} saves/s offered): wall {wall:.1f} s, worst start lag "
        f"{lag * 1000:.0f} ms ({CLIENT_THREADS} client threads)",
        flush=True,
    )
    posts = [r for r in driver.results if r.label == "保存"]
    figures = summarize(posts, label="保存 POST", wall=wall, unit="saves")
    retries = [r for r in driver.results if r.label != "保存"]
    if retries:
        summarize(retries, label="保存 POST after a 409 (rebased)", wall=wall, unit="saves")
    return {"figures": figures, "tally": tally, "wall": wall, "lag": lag}


def autosave(
    site: BenchSite,
    exam: Any,
    *,
    counts: list[int],
    saves: int,
    interval: float,
    repeats: int,
    profile: int = 0,
) -> bool:
    """(b); False when an acknowledged answer is missing from the database."""
    print(f"\n(b) autosave: {exam.enrolments.count():,} examinees in one sitting")
    pages = start_attempts(exam)
    print(
        f"  {len(pages):,} logged-in sessions; {sum(len(p.questions) for p in pages) // len(pages)} "
        "questions per paper"
    )
    rate = len(pages) / interval
    acks_total = 0
    rows = []
    ok = True
    for n in counts:
        with AppServers(site, n) as app:
            print(f" {app.describe()}; {servers.load_average()}", flush=True)
            base = health(app, rate=rate, seconds=min(10.0, saves * interval))
            for repeat in range(1, repeats + 1):
                got = autosave_run(
                    app, exam, pages, saves=saves, interval=interval, seed=n * 100 + repeat
                )
                tally: Tally = got["tally"]
                acks_total += tally.acked
                check = check_answers(exam, pages, acks_total)
                tracebacks = app.server_errors()
                print(
                    f"  acknowledged {tally.acked:,} saves, 409 rebased {tally.stale}, other answers "
                    f"{sum(tally.other.values())} {dict(tally.other.most_common(3))}; server "
                    f"tracebacks {len(tracebacks)}; answers checked {check.acknowledged:,}: "
                    f"LOST {check.lost}, newer than the last acknowledgement {check.later}; "
                    f"saves in the database {check.saves_in_db:,} vs acknowledged {check.acks_total:,} "
                    f"(over all runs so far); {servers.load_average()}",
                    flush=True,
                )
                for text in tracebacks[:2]:
                    print(f"    traceback: {text[-1500:]}")
                if check.lost:
                    ok = False
                rows.append((n, repeat, got, check, base, tally))
    if profile:
        profile_saves(pages, profile)
        check = check_answers(exam, pages, acks_total + profile + 1)
        print(
            f"  after the in-process saves: answers checked {check.acknowledged:,}, LOST {check.lost}"
        )
        ok = ok and not check.lost
    print(f"\nsummary (保存 POST, {rate:.0f} saves/s offered):")
    for n, repeat, got, check, base, tally in rows:
        f = got["figures"]
        print(
            f"  N={n} run {repeat}: {tally.acked / got['wall']:.1f} acknowledged saves/s, "
            f"p50 {f.p50 * 1000:.0f} ms, p99 {f.p99 * 1000:.0f} ms, max {f.worst * 1000:.0f} ms "
            f"(target p99 < {TARGET_P99 * 1000:.0f} ms: {'met' if f.p99 < TARGET_P99 else 'NOT met'}); "
            f"×{f.p50 / base.p50:.1f} p50 / ×{f.p99 / base.p99:.1f} p99 of the health check "
            f"(p50 {base.p50 * 1000:.0f} ms, p99 {base.p99 * 1000:.0f} ms); errors {f.errors}, "
            f"other answers {sum(tally.other.values())}; lost {check.lost}"
        )
    return ok


class SqlTimer:
    """Counts the queries and the time spent in them (execute_wrapper)."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.by_statement: dict[str, float] = {}
        self.calls: Counter[str] = Counter()

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            self.count += 1
            self.seconds += took
            words = sql.split()
            table = next((w for w in words[1:6] if w.startswith('"')), "")
            key = f"{words[0] if words else '?'} {table}".strip()
            self.by_statement[key] = self.by_statement.get(key, 0.0) + took
            self.calls[key] += 1


def profile_saves(pages: list[Examinee], count: int) -> None:
    """(c) Saves through the whole Django stack (middleware, view, service) in this process,
    one at a time: time per save, the part spent in SQL, queries; then where the rest goes."""
    import cProfile
    import io
    import pstats

    from django.db import connection
    from django.test import Client

    def one(page: Examinee) -> None:
        client = Client(REMOTE_ADDR="127.0.0.1", SERVER_NAME="localhost")
        client.cookies["sessionid"] = page.login.session_key
        client.cookies["csrftoken"] = page.login.csrf
        order, value = page.next_save()
        form = {"q": order, "v": page.versions.get(order, 0), "value": json.dumps(value)}
        response = client.post(page.path, form, headers={"X-CSRFToken": page.login.csrf})
        body = _json(response.content.decode())
        if response.status_code == 200 and body.get("ok"):
            page.versions[order] = body["version"]
            page.acked[order] = (body["version"], body["value"])
        elif "version" in body:
            page.versions[order] = body["version"]

    chosen = [pages[i % len(pages)] for i in range(count)]
    one(chosen[0])  # warm up
    sql = SqlTimer()
    with connection.execute_wrapper(sql), Timer() as t:
        for page in chosen:
            one(page)
    print(
        f"\n(c) one save in process (Django test client, whole middleware stack, no HTTP): "
        f"{t.seconds * 1000 / count:.1f} ms per save, of which SQL {sql.seconds * 1000 / count:.1f} ms "
        f"in {sql.count / count:.1f} queries; {servers.load_average()}"
    )
    for key, seconds in sorted(sql.by_statement.items(), key=lambda kv: -kv[1]):
        print(
            f"    {key}: {sql.calls[key] / count:.1f} per save, {seconds * 1000 / count:.1f} ms per save"
        )
    profiler = cProfile.Profile()
    profiler.enable()
    for page in chosen[: count // 2]:
        one(page)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(
        r"renda|django/(contrib|middleware|core/handlers)", 22
    )
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    print(f"  cumulative time over {count // 2} saves (profiled, so slower):")
    for line in lines[start : start + 23]:
        print(f"    {line}")


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 examinees, 3 saves, 2 servers")
    parser.add_argument("--examinees", type=int, help=f"default {EXAMINEES}")
    parser.add_argument("--saves", type=int, help="saves per examinee per run (default 6)")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between saves")
    parser.add_argument("--servers", help="app server counts, e.g. 2,4 (default)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per server count")
    parser.add_argument("--no-autosave", action="store_true", help="papers only")
    parser.add_argument("--profile", type=int, default=200, help="in-process saves to profile")
    args = parser.parse_args(argv)
    args.examinees = args.examinees or (200 if args.quick else EXAMINEES)
    args.saves = args.saves or (3 if args.quick else 6)
    args.servers = [int(n) for n in (args.servers or ("2" if args.quick else "2,4")).split(",")]
    return args


def main(argv: list[str]) -> int:
    args = arguments(argv)
    problem = servers.postgres_answers()
    if problem:
        print(f"PostgreSQL（{servers.PG_ADMIN_URL}）不可用，跳过：{problem}")
        return 0
    print(f"machine: {servers.load_average()}")
    ok = True
    with BenchSite("exams") as site:
        print(f"  {site.describe()}")
        print("(a) papers")
        exam = draw_papers(args.examinees)
        if not args.no_autosave:
            ok = autosave(
                site,
                exam,
                counts=args.servers,
                saves=args.saves,
                interval=args.interval,
                repeats=args.repeats,
                profile=args.profile,
            )
    print(f"machine after: {servers.load_average()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
