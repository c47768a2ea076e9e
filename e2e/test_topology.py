"""The production topology (issue 18 item 1; docs/deploy.md §11): `make prod-up` — PostgreSQL,
Redis, two gunicorn app servers (:8101, :8102), two Huey consumers (one with the scheduler),
nginx in front on https://127.0.0.1:8100 — with RENDA_PRODUCTION=1 and the files in deploy/.

Through nginx and directly against each app server (sent what nginx sends: X-Forwarded-Proto
https): a log in on A is valid on B and through nginx; an upload made on A is served by B;
nginx serves /static/ itself and refuses /media/; a periodic job runs once per tick across the
two consumers; a workflow transition and a ballot cast posted at the same moment to A and to B
apply once; the audit chain verifies after all these concurrent writes; `prod-down` leaves no
process it started.

The topology is started if it is not running, and then stopped at the end (the last test checks
that); a topology already running (someone's `make prod-up`) is used and left running. The data
is created per run under a random tag in the topology's database (renda_prod).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROD = ROOT / "deploy" / "local" / "prod.py"
RUN = ROOT / "var" / "prod"
PASSWORD = "Topology-2026!"
SITE_PORT, APP_A, APP_B = 8100, 8101, 8102
# About three minutes from cold (migrate, collectstatic, two scheduler ticks): not part of
# `make e2e`; `make prod-test` sets RENDA_TOPOLOGY_TEST=1 and runs this module alone.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        os.environ.get("RENDA_TOPOLOGY_TEST") != "1",
        reason="starts the production topology: run it with make prod-test",
    ),
]

sys.path.insert(0, str(PROD.parent))
import prod  # noqa: E402


def prod_command(command: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROD), command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def manage(topology: Topology, script: str) -> Any:
    """Run `script` in `manage.py shell` with the topology's environment; its last line of
    output is JSON."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=topology.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@dataclass
class Topology:
    env: dict[str, str]
    started_here: bool
    data: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def topology() -> Iterator[Topology]:
    already = prod_command("status").returncode == 0
    try:
        if not already:
            result = prod_command("up")
            assert result.returncode == 0, result.stdout + result.stderr
            assert prod_command("status").returncode == 0
        again = prod_command("up")  # idempotent: nothing is started twice
        assert again.returncode == 0 and "already running" in again.stdout, again.stdout
        yield Topology(env=prod.app_env(), started_here=not already)
    finally:
        if not already and (RUN / "pids").exists():  # a test failed before prod-down's test
            prod_command("down", timeout=300)


# -- an HTTP client: cookies kept by hand (the production cookies are Secure, and the
# -- app servers are spoken to directly over plain HTTP, as nginx speaks to them)
class Client:
    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self,
        port: int,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str = "",
    ) -> tuple[int, bytes, dict[str, str]]:
        host = f"127.0.0.1:{port}"
        conn: http.client.HTTPConnection
        if port == SITE_PORT:
            context = ssl.create_default_context(cafile=str(RUN / "tls" / "fullchain.pem"))
            conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=60, context=context)
            headers = {}
        else:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {"X-Forwarded-Proto": "https", "X-Real-IP": "127.0.0.1"}
        headers["Host"] = host
        if method == "POST":
            headers["Origin"] = f"https://{host}"
            headers["Referer"] = f"https://{host}{path}"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            if content_type:
                headers["Content-Type"] = content_type
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in (morsel["expires"] or ""):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        conn.close()
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}

    def get(self, port: int, path: str) -> tuple[int, str, dict[str, str]]:
        status, data, headers = self.request(port, "GET", path)
        return status, data.decode("utf-8", "replace"), headers

    def post(self, port: int, path: str, form: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        from urllib.parse import urlencode

        status, data, headers = self.request(
            port, "POST", path, urlencode(form).encode(), "application/x-www-form-urlencoded"
        )
        return status, data.decode("utf-8", "replace"), headers

    def log_in(self, port: int, username: str) -> int:
        status, html, _ = self.get(port, "/accounts/login/")
        assert status == 200, html[-500:]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, "no CSRF token on the log-in page"
        form = {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD}
        return self.post(port, "/accounts/login/", form)[0]


def at_once(*calls: Any) -> list[Any]:
    """Run the calls in threads released together."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


# -- the data of this run: a county, staff, two deputies with passwords, a draft suggestion
# -- of the first deputy
SETUP = """
import datetime as dt, json, random
from renda.accounts import services as accounts
from renda.accounts.models import OfficeDuty
from renda.core.models import Organization, Region
from renda.core.roles import Duty, Role
from renda.deputies import services as deputies
from renda.deputies.models import Deputy, Term
from renda.lib.idcard import id_check_digit
from renda.suggestions.services import create_suggestion

TAG, PASSWORD = {tag!r}, {password!r}
rng = random.Random(TAG)
county, _ = Region.objects.get_or_create(code="431381", defaults=dict(name="冷水江市", level=Region.Level.COUNTY))
congress, _ = Organization.objects.get_or_create(code="RD", defaults=dict(name="冷水江市人民代表大会", kind="congress", region=county))
office, _ = Organization.objects.get_or_create(code="RD-BGS", defaults=dict(name="冷水江市人大常委会办公室", kind="office", region=county))
for duty in Duty.values:
    OfficeDuty.objects.get_or_create(organization=office, duty=duty)
# The demo county (seeded in renda_prod by the load bench) has this unit under its own code.
department = Organization.objects.filter(name="冷水江市发展和改革局").first() or Organization.objects.create(code="FGJ", name="冷水江市发展和改革局", kind="department", region=county)
staff = accounts.create_user(actor=None, username=f"staff_{{TAG}}", name="会务工作人员", role=Role.STAFF,
    password=PASSWORD, organization=office, must_change_password=False)
term = Term.objects.filter(congress=congress, is_current=True).first() or deputies.create_term(
    actor=None, congress=congress, level="city", number=18, start_date=dt.date(2021, 12, 28))
people = []
for i in range(2):
    user = accounts.create_user(actor=None, username=f"d{{i}}_{{TAG}}", name=f"代表{{i}}{{TAG}}",
        role=Role.DEPUTY, password=PASSWORD, must_change_password=False)
    first17 = f"431381{{1960 + rng.randrange(40)}}{{rng.randrange(1, 13):02d}}{{rng.randrange(1, 29):02d}}{{rng.randrange(1000):03d}}"
    deputy = deputies.create_deputy(actor=None, term=term, name=f"代表{{i}}{{TAG}}", party="群众",
        category=Deputy.Category.WORKER, region=county, id_number=first17 + id_check_digit(first17),
        mobile=f"139{{rng.randrange(10**8):08d}}", employer="冷水江市锑业公司", occupation="工人",
        elected_on=dt.date(2021, 11, 20))
    deputies.update_deputy(actor=None, deputy=deputy, user=user)
    people.append(deputy)
suggestion = create_suggestion(actor=people[0].user, deputy=people[0], title=f"关于拓扑测试的建议{{TAG}}",
    content="建议在城区增设公共停车场，缓解停车难的问题。" * 2)
print(json.dumps(dict(suggestion=suggestion.pk, deputies=[d.pk for d in people],
    users=[d.user.username for d in people], staff=staff.pk)))
"""

# A session in progress with every member checked in, and a vote on one seat opened.
VOTE = """
import datetime as dt, json
from decimal import Decimal
from django.db.models import Max
from django.utils import timezone
from renda.accounts.models import User
from renda.core.models import Organization, Region
from renda.deputies.models import Deputy
from renda.livelihood import services as livelihood
from renda.meetings import services as meetings
from renda.meetings.models import Meeting, MeetingMember

TAG = {tag!r}
staff = User.objects.get(pk={staff})
people = list(Deputy.objects.filter(pk__in={deputies}))
term, county = people[0].term, Region.objects.get(code="431381")
department = Organization.objects.get(name="冷水江市发展和改革局")
start = timezone.now() + dt.timedelta(minutes=10)
number = (Meeting.objects.filter(term=term, kind="congress").aggregate(n=Max("number"))["n"] or 0) + 1
meeting = meetings.create_meeting(actor=staff, kind="congress", term=term, number=number,
    start_at=start, end_at=start + dt.timedelta(hours=4), venue="市人民会堂", title=f"拓扑测试会议{{TAG}}")
meetings.notify_members(actor=staff, meeting=meeting)
for member in MeetingMember.objects.filter(meeting=meeting):  # quorum: the term's deputies of earlier runs too
    meetings.mark_paper_sign_in(actor=staff, member=member)
meeting = meetings.open_meeting(actor=staff, meeting=meeting)
lst = livelihood.create_candidate_list(actor=staff, meeting=meeting, title=f"民生实事候选项目{{TAG}}", seats=1)
for n in range(2):
    project = livelihood.create_project(actor=staff, title=f"项目{{n}}{{TAG}}", level="city", region=county,
        year=2027, estimated_cost=Decimal("1500000.00"), lead_unit=department)
    livelihood.add_candidate(actor=staff, candidate_list=lst, project=project)
livelihood.confirm_candidate_list(actor=staff, candidate_list=lst, decision="主席团会议通过")
vote = livelihood.create_vote(actor=staff, candidate_list=lst)
round_ = livelihood.open_round(actor=staff, round_=vote.rounds.get(number=1))
print(json.dumps(dict(round=round_.pk, candidates=[int(c) for c in round_.candidate_ids])))
"""


@pytest.fixture(scope="module")
def world(topology: Topology) -> dict[str, Any]:
    tag = secrets.token_hex(3)
    data: dict[str, Any] = manage(topology, SETUP.format(tag=tag, password=PASSWORD))
    data["tag"] = tag
    return data


@pytest.fixture(scope="module")
def vote(topology: Topology, world: dict[str, Any]) -> dict[str, Any]:
    script = VOTE.format(tag=world["tag"], staff=world["staff"], deputies=world["deputies"])
    found: dict[str, Any] = manage(topology, script)
    return found


# -- sessions and static files ----------------------------------------------------------------
def test_a_log_in_on_one_server_is_valid_on_the_other_and_through_nginx(
    world: dict[str, Any],
) -> None:
    client = Client()
    assert client.log_in(APP_A, world["users"][0]) == 302
    assert "sessionid" in client.cookies
    for port in (APP_B, SITE_PORT):
        status, html, _ = client.get(port, "/workbench/")
        assert status == 200, (port, status)
        assert f"代表0{world['tag']}" in html
    # Logged out on B, the session is gone on A too.
    status, html, _ = client.get(APP_B, "/workbench/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    assert client.post(APP_B, "/accounts/logout/", {"csrfmiddlewaretoken": token.group(1)})[0] in {
        200,
        302,
    }
    status, _, headers = client.get(APP_A, "/workbench/")
    assert status == 302 and "/accounts/login/" in headers["location"]


def test_nginx_serves_static_files_itself_redirects_http_and_refuses_media(
    topology: Topology,
) -> None:
    client = Client()
    status, html, headers = client.get(SITE_PORT, "/accounts/login/")
    assert status == 200 and headers["strict-transport-security"].startswith("max-age=31536000")
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html)
    assert css, "no hashed stylesheet (ManifestStaticFilesStorage) on the page"
    status, _, headers = client.get(SITE_PORT, css.group(1))
    assert status == 200 and "immutable" in headers["cache-control"]
    # Served from STATIC_ROOT by nginx: the app servers never saw this request.
    for port in (APP_A, APP_B):
        log = (RUN / "logs" / f"gunicorn-{port}.log").read_text(errors="replace")
        assert css.group(1) not in log
    assert client.get(SITE_PORT, "/media/anything.pdf")[0] == 404
    conn = http.client.HTTPConnection("127.0.0.1", prod.REDIRECT_PORT, timeout=10)
    conn.request("GET", "/workbench/")
    response = conn.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == f"https://127.0.0.1:{SITE_PORT}/workbench/"


# -- uploads ------------------------------------------------------------------------------------
def multipart(
    fields: dict[str, str], name: str, filename: str, content: bytes
) -> tuple[bytes, str]:
    boundary = "----topology" + secrets.token_hex(8)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_an_upload_on_one_server_is_served_by_the_other(
    topology: Topology, world: dict[str, Any]
) -> None:
    client = Client()
    assert client.log_in(APP_A, world["users"][0]) == 302
    detail = f"/suggestions/{world['suggestion']}/"
    status, html, _ = client.get(APP_A, detail)
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    content = b"%PDF-1.4\n% topology " + secrets.token_hex(16).encode() + b"\n%%EOF\n"
    body, content_type = multipart(
        {"csrfmiddlewaretoken": token.group(1), "kind": "material"},
        "file",
        "现场照片说明.pdf",
        content,
    )
    status, _, headers = client.request(
        APP_A, "POST", f"/suggestions/{world['suggestion']}/attachments/", body, content_type
    )
    assert status == 302, status
    status, html, _ = client.get(APP_B, detail)
    link = re.search(r'href="(/suggestions/attachments/\d+/)"', html)
    assert status == 200 and link, "the attachment is not listed on the other server"
    for port in (APP_B, SITE_PORT):
        status, data, headers = client.request(port, "GET", link.group(1))
        assert status == 200 and data == content, port
        assert "attachment" in headers["content-disposition"]
    # Not for anyone else: the second deputy is refused the file.
    other = Client()
    assert other.log_in(APP_B, world["users"][1]) == 302
    assert other.request(SITE_PORT, "GET", link.group(1))[0] in {403, 404}


# -- races ----------------------------------------------------------------------------------------
def test_a_transition_posted_to_both_servers_at_once_applies_once(
    topology: Topology, world: dict[str, Any]
) -> None:
    client = Client()
    assert client.log_in(APP_A, world["users"][0]) == 302
    path = f"/suggestions/{world['suggestion']}/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(APP_A, path)[1])
    assert token
    form = {"csrfmiddlewaretoken": token.group(1)}
    answers = at_once(
        lambda: client.post(APP_A, path + "submit/", form),
        lambda: client.post(APP_B, path + "submit/", form),
    )
    assert [a[0] for a in answers] == [302, 302]
    facts = manage(
        topology,
        f"""
import json
from renda.core.models import AuditEvent
from renda.core.models import WorkflowEvent
from renda.deputies.models import DutyRecord
from renda.suggestions.models import Suggestion
s = Suggestion.objects.get(pk={world["suggestion"]})
print(json.dumps(dict(
    state=s.state,
    transitions=WorkflowEvent.objects.filter(object_id=s.pk, transition="submit", content_type__model="suggestion").count(),
    audits=AuditEvent.objects.filter(action="suggestion.submit", target_id=str(s.pk)).count(),
    duties=DutyRecord.objects.filter(deputy_id={world["deputies"][0]}, kind="suggestion").count(),
)))
""",
    )
    assert facts == {"state": "submitted", "transitions": 1, "audits": 1, "duties": 1}


def test_a_ballot_cast_on_both_servers_at_once_is_counted_once(
    topology: Topology, world: dict[str, Any], vote: dict[str, Any]
) -> None:
    client = Client()
    assert client.log_in(APP_B, world["users"][1]) == 302
    path = f"/livelihood/rounds/{vote['round']}/ballot/"
    status, html, _ = client.get(APP_B, path)
    assert status == 200, html[-500:]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    form = {
        "csrfmiddlewaretoken": token.group(1),
        "step": "cast",
        f"c_{vote['candidates'][0]}": "yes",
    }
    answers = at_once(
        lambda: client.post(APP_A, path, form),
        lambda: client.post(APP_B, path, form),
    )
    bodies = sorted(("投票成功" in a[1], "您已投票" in a[1]) for a in answers)
    assert [a[0] for a in answers] == [200, 200]
    assert bodies == [(False, True), (True, False)], "one cast acknowledged, the other refused"
    facts = manage(
        topology,
        f"""
import json
from renda.livelihood.models import Ballot, BallotBox, Participation
# While the round is open its ballots are in its box; Ballot rows appear at the close.
box = BallotBox.objects.get(round_id={vote["round"]}).entries
print(json.dumps(dict(
    ballots=len(box) + Ballot.objects.filter(round_id={vote["round"]}).count(),
    participations=Participation.objects.filter(round_id={vote["round"]}).count(),
)))
""",
    )
    assert facts == {"ballots": 1, "participations": 1}


# -- the audit chain after concurrent writes --------------------------------------------------
def test_the_audit_chain_verifies_after_concurrent_writes_through_both_servers(
    topology: Topology, world: dict[str, Any]
) -> None:
    ports = [APP_A, APP_B, SITE_PORT]

    def log_in(i: int) -> int:
        return Client().log_in(ports[i % 3], world["users"][i % 2])

    statuses = at_once(*(lambda i=i: log_in(i) for i in range(12)))
    assert statuses == [302] * 12
    result = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        cwd=ROOT,
        env=topology.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "完整" in result.stdout


# -- the scheduler ----------------------------------------------------------------------------
EXECUTED = re.compile(
    r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d):\d\d,\d+\] INFO:huey:[^:]*:Executing "
    r"renda\.exams\.tasks\.submit_overdue_attempts: ([0-9a-f-]{36})$",
    re.M,
)
ENQUEUED = "Enqueueing periodic task renda.exams.tasks.submit_overdue_attempts"


def since_start(consumer: str) -> str:
    """The consumer's log since it was last started (the log is appended to across runs)."""
    text = (RUN / "logs" / f"{consumer}.log").read_text(errors="replace")
    return text[max(0, text.rfind("INFO:huey.consumer:MainThread:Huey consumer started")) :]


def executions() -> dict[str, set[str]]:
    """Minute → the ids of the every-minute periodic task executed in it, by either consumer."""
    runs: dict[str, set[str]] = defaultdict(set)
    for consumer in ("huey-1", "huey-2"):
        for minute, task_id in EXECUTED.findall(since_start(consumer)):
            runs[minute].add(task_id)
    return runs


def test_a_periodic_job_runs_once_per_tick_across_the_two_consumers(topology: Topology) -> None:
    deadline = time.monotonic() + 150
    while len(executions()) < 2 and time.monotonic() < deadline:
        time.sleep(2)
    time.sleep(3)  # a tick in progress finishes
    runs = executions()
    assert len(runs) >= 2, f"fewer than two ticks seen: {dict(runs)}"
    assert all(len(ids) == 1 for ids in runs.values()), dict(runs)
    # Only the consumer with the scheduler enqueues; the other one runs with --no-periodic.
    assert ENQUEUED in since_start("huey-1")
    second = since_start("huey-2")
    assert ENQUEUED not in second and "Periodic tasks are disabled" in second


# -- prod-down ---------------------------------------------------------------------------------
def descendants(pids: set[int]) -> set[int]:
    """The processes below `pids` (gunicorn's and nginx's workers)."""
    found = set(pids)
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(text.rsplit(")", 1)[1].split()[1])
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in found and pid not in found:
                found.add(pid)
                changed = True
    return found


def running(pids: set[int]) -> dict[int, str]:
    """Those of `pids` still running (not zombies), with their command lines."""
    found = {}
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if state != "Z":
            found[pid] = f"{state} {command}"
    return found


def port_answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_prod_down_stops_exactly_what_prod_up_started(topology: Topology) -> None:
    if not topology.started_here:
        pytest.skip("the topology was already running before this test module; left running")
    entries = prod.recorded()
    assert {"gunicorn-8101", "gunicorn-8102", "huey-1", "huey-2", "nginx"} <= set(entries)
    started = descendants({pid for pid, _ in entries.values()})
    assert len(started) >= 5 + 4 + 1  # + 2 workers per app server, nginx's worker
    result = prod_command("down", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    deadline = time.monotonic() + 10  # a zombie waits for init to reap it: not running
    while (still := running(started)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not still, f"still running after prod-down: {still}"
    assert not (RUN / "pids").exists()
    for port in (SITE_PORT, APP_A, APP_B, prod.REDIRECT_PORT):
        assert not port_answers(port), port
