"""A server restart in the middle of a sitting loses no saved answer and gives no one extra time
(issue 16, "Bad input and faults").

A real app server (gunicorn, DEBUG off, as in production) serves one examinee who starts the
exam with the room's password and saves answers through the page's endpoint while the server is
killed outright (SIGKILL to its process group: no shutdown, no chance to flush anything) in the
middle of the saves. A new server is started on the same port after a pause. Then every answer
the examinee was told was saved is in the database with the version and value acknowledged; the
deadline and the start are the stored ones; the remaining time the new server gives is the old
remaining time minus the time that passed, server down time included (the clock ran on, it was
neither paused nor reset); going back through the start page does not restart the attempt, and
the examinee goes on saving from the versions they had.

Uses PostgreSQL when DATABASE_URL points at it (as in CI), otherwise a temporary SQLite file.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.e2e
DOWN_SECONDS = 5.0
SLACK = 3  # seconds: whole-second remaining times and the requests' own latency

# Run in the site's Django shell: a sitting open now (60 minutes to answer, the room's network
# is loopback), one nominee enrolled with a paper drawn, and a logged-in session for them.
SEED = """
import json, secrets
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils.module_loading import import_string
from renda.accounts.middleware import OTP_ENROLLED_KEY, SESSION_STARTED_KEY, SMS_LOGIN_KEY
from renda.accounts.models import User
from renda.exams.models import Paper
from renda.exams.tests.attempt_setup import open_sitting
import time
user = User.objects.create(username="kaosheng", name="彭志刚", role="nominee")
sitting = open_sitting(None, [user], allowed_networks="127.0.0.0/8")
paper = Paper.objects.get(enrolment__user=user)
store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
store.update({
    SESSION_KEY: str(user.pk),
    BACKEND_SESSION_KEY: "renda.accounts.backends.UsernameOrMobileBackend",
    HASH_SESSION_KEY: user.get_session_auth_hash(),
    SESSION_STARTED_KEY: int(time.time()),
    OTP_ENROLLED_KEY: False,
    SMS_LOGIN_KEY: True,
})
store.create()
print(json.dumps({
    "enrolment": paper.enrolment_id,
    "password": sitting.password,
    "session": store.session_key,
    "questions": [
        [q.order, q.version.type, len(q.version.options or ())]
        for q in paper.questions.select_related("version").order_by("order")
    ],
}))
"""

STORED = """
import json
from renda.exams.models import Attempt
a = Attempt.objects.get(enrolment_id={enrolment})
print(json.dumps({{
    "state": a.state,
    "started_at": a.started_at.isoformat(),
    "deadline": a.deadline.isoformat(),
    "extra_seconds": a.extra_seconds,
    "answers": {{str(o): [v, value] for o, v, value in a.answers.values_list("order", "version", "value")}},
}}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Site:
    env: dict[str, str]
    port: int
    work: Path
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        )
        return result.stdout

    def read(self, code: str) -> Any:
        return json.loads(self.manage("shell", "-v0", "-c", code).strip().splitlines()[-1])

    def start(self) -> None:
        """gunicorn as production runs it (its own process group, so it can be killed whole)."""
        self.starts += 1
        log = self.work / f"gunicorn-{self.starts}.log"
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "renda.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "1",
                    "--threads",
                    "2",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while not _answers(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("app server did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL to the master and its worker at once: a crash, not a shutdown."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.proc = None


def _answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/api/v1/health")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    work = tmp_path_factory.mktemp("exam-restart")
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    base_url = os.environ.get("DATABASE_URL", "")
    created = admin = ""
    if base_url.startswith("postgres"):
        created = f"renda_exam_restart_{secrets.token_hex(4)}"
        admin = base_url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {created}"], check=True)
        env["DATABASE_URL"] = base_url.rsplit("/", 1)[0] + f"/{created}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{work / 'db.sqlite3'}"
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        MEDIA_ROOT=str(work / "media"),
        AUDIT_CHECKPOINT_PATH=str(work / "audit-checkpoints.jsonl"),
        SMS_BACKEND="console",
    )
    site = Site(env=env, port=free_port(), work=work)
    try:
        site.manage("migrate", "--noinput", "-v0")
        yield site
    finally:
        site.stop()
        if created:
            subprocess.run(
                ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {created} WITH (FORCE)"],
                check=False,
            )


@dataclass
class Examinee:
    """The page's side: its cookies, and what the server acknowledged per question."""

    port: int
    enrolment: int
    session: str
    csrf: str = field(default_factory=lambda: secrets.token_hex(16))
    versions: dict[int, int] = field(default_factory=dict)
    acked: dict[int, tuple[int, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {
            "Cookie": f"sessionid={self.session}; csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
        }
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, f"/exams/mine/{self.enrolment}/exam/{path}", body, headers)
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()

    def save(self, order: int, value: Any) -> int:
        """One save as the page sends it; on 409 it takes the server's version and sends
        again, as the page does. Returns the last status (0: no answer)."""
        for _ in range(2):
            base = self.versions.get(order, 0)
            form = {"q": str(order), "v": str(base), "value": json.dumps(value)}
            try:
                status, text = self.request("POST", "save/", form)
            except OSError:  # the server is gone: nothing acknowledged
                return 0
            body = json.loads(text) if text.startswith("{") else {}
            if status == 200 and body.get("ok"):
                with self.lock:
                    self.versions[order] = body["version"]
                    self.acked[order] = (body["version"], body["value"])
                return status
            if status != 409:
                return status
            self.versions[order] = body["version"]
        return 409

    def state(self) -> dict[str, Any]:
        status, text = self.request("GET", "state/")
        assert status == 200, text
        return dict(json.loads(text))


def value_for(kind: str, choices: int, n: int) -> Any:
    if kind == "single":
        return n % choices
    if kind == "multiple":
        return sorted({0, n % choices})
    if kind == "true_false":
        return n % 2 == 0
    return f"第{n}次作答：人民代表大会制度是我国的根本政治制度。"


def test_a_killed_server_loses_no_acknowledged_answer_and_gives_no_time(site: Site) -> None:
    seeded = site.read(SEED)
    questions = [tuple(q) for q in seeded["questions"]]
    site.start()
    me = Examinee(site.port, seeded["enrolment"], seeded["session"])
    status, _ = me.request("POST", "", {"password": seeded["password"]})
    assert status == 302  # started: to the paper
    before = site.read(STORED.format(enrolment=me.enrolment))
    assert before["state"] == "in_progress"
    for n, (order, kind, choices) in enumerate(questions):  # every question answered once
        assert me.save(order, value_for(kind, choices, n)) == 200
    first = me.state()
    first_at = time.monotonic()
    assert 0 < first["remaining"] <= 3600

    # The crash comes in the middle of a stream of saves (the short answer being typed).
    text_order = next(o for o, kind, _ in questions if kind == "short_answer")
    stop = threading.Event()
    answered: list[int] = []

    def typing() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            answered.append(me.save(text_order, value_for("short_answer", 0, 1000 + n)))
            time.sleep(0.05)

    typist = threading.Thread(target=typing)
    typist.start()
    while answered.count(200) < 5:
        time.sleep(0.05)
    site.kill()
    killed_at = time.monotonic()
    time.sleep(DOWN_SECONDS)
    site.start()  # same port: the page's next requests reach the new server
    back_at = time.monotonic()
    stop.set()
    typist.join(timeout=30)
    assert 0 in answered  # some saves really went unanswered while the server was down

    # Nothing acknowledged is lost: each row has at least the acknowledged version, and the
    # acknowledged value when it is that version (a later one can only be a save sent after).
    after = site.read(STORED.format(enrolment=me.enrolment))
    with me.lock:
        acked = dict(me.acked)
    assert len(acked) == len(questions)
    for order, (version, value) in acked.items():
        stored_version, stored_value = after["answers"][str(order)]
        assert stored_version >= version, order
        if stored_version == version:
            assert stored_value == value, order

    # No time given: the stored start and deadline are those of before the crash, and the new
    # server's remaining time went on falling while the server was down.
    assert after["state"] == "in_progress"
    assert (after["started_at"], after["deadline"], after["extra_seconds"]) == (
        before["started_at"],
        before["deadline"],
        before["extra_seconds"],
    )
    second = me.state()
    elapsed = time.monotonic() - first_at
    assert back_at - killed_at >= DOWN_SECONDS
    expected = first["remaining"] - elapsed
    assert expected - SLACK <= second["remaining"] <= expected + SLACK
    assert {int(k): (v["version"], v["value"]) for k, v in second["answers"].items()} == {
        int(k): tuple(v) for k, v in after["answers"].items()
    }

    # Going back through the start page does not restart the attempt; the paper shows the
    # saved answers, and the examinee goes on saving from the versions they know.
    status, _ = me.request("POST", "", {"password": seeded["password"]})
    assert status in (200, 302)
    status, page = me.request("GET", "")
    assert status == 200 and page.count('data-testid="question"') == len(questions)
    again = site.read(STORED.format(enrolment=me.enrolment))
    assert again["deadline"] == before["deadline"] and again["started_at"] == before["started_at"]
    order, kind, choices = questions[0]
    version = me.versions[order]
    assert me.save(order, value_for(kind, choices, 7)) == 200
    assert me.versions[order] == version + 1
    stale = {"q": str(order), "v": str(version), "value": json.dumps(value_for(kind, choices, 8))}
    status, _ = me.request("POST", "save/", stale)
    assert status == 409  # an old base is still refused after the restart
