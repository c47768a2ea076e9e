"""Fault tests (issue 18 item 4; docs/deploy.md 故障测试): parts of the production setup are
killed or starved while they work, and what users were told must stay true.

a. One app server of the topology is killed (SIGKILL to its gunicorn master and workers)
   while deputies save suggestion drafts through nginx: every draft acknowledged (302) is in
   the database, at most one request per client fails (the one in flight on the killed
   server: nginx does not resend a POST), none once nginx has moved everyone to the other one.
b. PostgreSQL is restarted during a budget import (`manage.py import_budget`): the import
   fails with a clear message, nothing is half-written, and the same command run again
   imports every row once. On a throwaway cluster of its own (initdb into a temporary
   directory, its own port), never the machine's cluster on 5432.
c. The Huey consumer running a budget upload's import is killed (SIGKILL): nothing is
   half-written, the job is run again by the next consumer and its rows are there once. A
   Redis database of its own (RENDA_FAULT_REDIS_DB, must be empty), flushed at the end.
d. The filesystem of the uploads (MEDIA_ROOT) is full: the upload is refused with a clear
   Chinese message, no half-written file and no row without its file is left, and uploads
   work again once space is freed. A small tmpfs mounted for the test (needs root).

The topology of (a) runs beside the default one (someone may be benchmarking it) on ports
RENDA_FAULT_SITE_PORT (8400; app servers 8401/8402, redirect 8480), its own run directory
(var/faults/prod), database and Redis database; it is stopped at the end. Each test prints its
figures (counts, timings). About ten minutes: `make fault-test`; not part of `make e2e`.
"""

from __future__ import annotations

import csv
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROD = ROOT / "deploy" / "local" / "prod.py"
PASSWORD = "Faults-2026!"
SITE_PORT = int(os.environ.get("RENDA_FAULT_SITE_PORT", "8400"))
APP_PORTS = (SITE_PORT + 1, SITE_PORT + 2)
PROD_RUN = ROOT / "var" / "faults" / "prod"
PROD_DATABASE = "renda_faults_prod"
PROD_REDIS_DB = int(os.environ.get("RENDA_FAULT_PROD_REDIS_DB", "11"))
REDIS_DB = int(os.environ.get("RENDA_FAULT_REDIS_DB", "12"))
PG_PORT = int(os.environ.get("RENDA_FAULT_PG_PORT", "55432"))
MAIN_PG = "postgres://postgres@127.0.0.1:5432"
PAYMENTS = int(os.environ.get("RENDA_FAULT_PAYMENTS", "200000"))
YEAR = 2025

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        os.environ.get("RENDA_FAULT_TEST") != "1" and os.environ.get("RENDA_TOPOLOGY_TEST") != "1",
        reason="kills servers, restarts a PostgreSQL cluster, mounts a filesystem: make fault-test",
    ),
]


def say(text: str) -> None:
    sys.stdout.write(f"\n[faults] {text}")
    sys.stdout.flush()


# -- processes and databases -------------------------------------------------------------------
def base_env(**extra: str) -> dict[str, str]:
    """This shell's environment without what would point Django elsewhere."""
    dropped = {"DJANGO_SETTINGS_MODULE", "DEBUG", "PYTHONPATH", "DATABASE_URL", "REDIS_URL"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("PYTEST")}
    env.update(DEBUG="0", ALLOWED_HOSTS="127.0.0.1,localhost", **extra)
    return env


def manage(
    env: dict[str, str], *args: str, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def shell(env: dict[str, str], script: str) -> Any:
    """Run `script` in `manage.py shell`; its last line of output is JSON."""
    result = manage(env, "shell", "-v0", "-c", script, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def psql(url: str, sql: str) -> str:
    result = subprocess.run(
        ["psql", url, "-tAqc", sql], capture_output=True, text=True, timeout=60, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def create_database(server: str, name: str) -> str:
    subprocess.run(["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    return f"{server}/{name}"


def drop_database(server: str, name: str) -> None:
    subprocess.run(
        ["psql", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
        check=False,
        capture_output=True,
    )


def redis(db: int, *args: str) -> str:
    return subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-n", str(db), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    ).stdout.strip()


def own_redis_db(db: int) -> None:
    """A Redis database this test may empty: it must be empty when the test starts."""
    if redis(db, "dbsize") not in {"0", ""}:
        pytest.fail(f"Redis database {db} is not empty: someone uses it; set another number")


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_process(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Stop a process this test started (its own session: the process group is its own)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def wait_for(check: Any, what: str, timeout: float, step: float = 0.2) -> float:
    """Poll `check()` until true; return the seconds it took."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(step)
    return time.monotonic() - start


# -- the people of these tests --------------------------------------------------------------------
SETUP = """
import datetime as dt, json, random
from renda.accounts import services as accounts
from renda.accounts.models import OfficeDuty
from renda.budget.services.batches import ensure_finance_region
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
staff = accounts.create_user(actor=None, username=f"staff_{{TAG}}", name="预算工委工作人员", role=Role.STAFF,
    password=PASSWORD, organization=office, must_change_password=False)
ensure_finance_region(actor=None, code="431381", name="冷水江市")
term = Term.objects.filter(congress=congress, is_current=True).first() or deputies.create_term(
    actor=None, congress=congress, level="city", number=18, start_date=dt.date(2021, 12, 28))
users, drafts = [], []
for i in range(2):
    user = accounts.create_user(actor=None, username=f"d{{i}}_{{TAG}}", name=f"代表{{i}}{{TAG}}",
        role=Role.DEPUTY, password=PASSWORD, must_change_password=False)
    first17 = f"431381{{1960 + rng.randrange(40)}}{{rng.randrange(1, 13):02d}}{{rng.randrange(1, 29):02d}}{{rng.randrange(1000):03d}}"
    deputy = deputies.create_deputy(actor=None, term=term, name=f"代表{{i}}{{TAG}}", party="群众",
        category=Deputy.Category.WORKER, region=county, id_number=first17 + id_check_digit(first17),
        mobile=f"139{{rng.randrange(10**8):08d}}", employer="冷水江市锑业公司", occupation="工人",
        elected_on=dt.date(2021, 11, 20))
    deputies.update_deputy(actor=None, deputy=deputy, user=user)
    users.append(user.username)
    drafts.append(create_suggestion(actor=user, deputy=deputy, title=f"关于故障测试的建议{{i}}{{TAG}}",
        content="建议在城区增设公共停车场，缓解停车难的问题。" * 2).pk)
print(json.dumps(dict(users=users, drafts=drafts, staff=staff.username)))
"""


def set_up_people(env: dict[str, str]) -> dict[str, Any]:
    tag = secrets.token_hex(3)
    data: dict[str, Any] = shell(env, SETUP.format(tag=tag, password=PASSWORD))
    data["tag"] = tag
    return data


# -- an HTTP client: cookies kept by hand (the production cookies are Secure) ------------------
class Client:
    def __init__(self, port: int, cafile: Path | None = None) -> None:
        self.port = port
        self.cafile = cafile
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, content_type: str = ""
    ) -> tuple[int, bytes, dict[str, str]]:
        host = f"127.0.0.1:{self.port}"
        conn: http.client.HTTPConnection
        if self.cafile is not None:
            context = ssl.create_default_context(cafile=str(self.cafile))
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=60, context=context)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        scheme = "https" if self.cafile is not None else "http"
        headers = {"Host": host}
        if method == "POST":
            headers["Origin"] = f"{scheme}://{host}"
            headers["Referer"] = f"{scheme}://{host}{path}"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            if content_type:
                headers["Content-Type"] = content_type
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in (morsel["expires"] or ""):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}

    def post(self, path: str, form: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        status, data, headers = self.request(
            "POST", path, urlencode(form).encode(), "application/x-www-form-urlencoded"
        )
        return status, data.decode("utf-8", "replace"), headers

    def log_in(self, username: str) -> None:
        status, data, _ = self.request("GET", "/accounts/login/")
        assert status == 200, data[-500:]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', data)
        assert token, "no CSRF token on the log-in page"
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": username,
            "password": PASSWORD,
        }
        status, html, _ = self.post("/accounts/login/", form)
        assert status == 302, (status, html[-800:])


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "----faults" + secrets.token_hex(8)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# -- budget data: generated once for (b) and (c) ------------------------------------------------
@dataclass
class BudgetFiles:
    directory: Path
    vouchers: int  # distinct voucher numbers of payments.csv
    digest: str  # SHA-256 of them, sorted and joined with commas


@pytest.fixture(scope="module")
def budget_files() -> Iterator[BudgetFiles]:
    directory = Path(tempfile.mkdtemp(prefix="renda-faults-budget-"))
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable, "manage.py", "generate_budget_data", "--scale", "county",
            "--year", str(YEAR), "--payments", str(PAYMENTS), "--out", str(directory),
        ],
        cwd=ROOT,
        env=base_env(DATABASE_URL=f"sqlite:///{directory / 'unused.sqlite3'}"),
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    with open(directory / "payments.csv", encoding="utf-8-sig", newline="") as handle:
        vouchers = sorted({row["凭证号"] for row in csv.DictReader(handle)})
    say(
        f"generated {len(vouchers):,} payments ({(directory / 'payments.csv').stat().st_size / 2**20:.0f} MB) "
        f"in {time.monotonic() - started:.1f} s"
    )
    try:
        digest = hashlib.sha256(",".join(vouchers).encode()).hexdigest()
        yield BudgetFiles(directory, len(vouchers), digest)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def import_reference(env: dict[str, str], files: BudgetFiles, user: str) -> None:
    for kind in ("codes", "units", "indicators"):
        result = manage(
            env, "import_budget", kind, str(files.directory / f"{kind}.csv"), "--user", user
        )
        assert result.returncode == 0, result.stdout + result.stderr[-3000:]


PAYMENT_FACTS = """
import hashlib, json
from django.db.models import Count, Sum
from renda.budget.models import Payment, RecordChange
from renda.core.models import ImportBatch
total = Payment.objects.aggregate(n=Count("id"), s=Sum("amount"))
print(json.dumps(dict(
    payments=total["n"], amount=str(total["s"] or 0),
    vouchers=Payment.objects.values("voucher_no").distinct().count(),
    digest=hashlib.sha256(",".join(sorted(set(Payment.objects.values_list("voucher_no", flat=True)))).encode()).hexdigest(),
    changes=RecordChange.objects.count(),
    batches=[[b.pk, b.status, b.rows_done, (b.errors[0]["text"] if b.errors else "")]
             for b in ImportBatch.objects.filter(kind="budget.payments").order_by("pk")],
)))
"""


def batch_phase(url: str) -> tuple[str, str]:
    """(status, phase) of the newest payments batch, read straight from PostgreSQL (the
    progress is written through a connection of its own, visible during the import)."""
    row = psql(
        url,
        "SELECT status || '|' || coalesce(summary->>'phase', '') FROM core_importbatch "
        "WHERE kind = 'budget.payments' ORDER BY id DESC LIMIT 1",
    )
    status, _, phase = row.partition("|")
    return status, phase


# == a. an app server killed during load =======================================================
@dataclass
class Topology:
    env: dict[str, str]  # for prod.py
    app_env: dict[str, str]  # for manage.py against the topology's database
    pids: dict[str, int] = field(default_factory=dict)


def prod_command(env: dict[str, str], command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROD), command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def topology() -> Iterator[Topology]:
    for port in (SITE_PORT, *APP_PORTS, SITE_PORT + 80):
        if not port_free(port):
            pytest.fail(f"port {port} is in use: set RENDA_FAULT_SITE_PORT to a free range")
    env = {
        **base_env(),
        "RENDA_PROD_DIR": str(PROD_RUN),
        "RENDA_PROD_SITE_PORT": str(SITE_PORT),
        "RENDA_PROD_DATABASE": PROD_DATABASE,
        "RENDA_PROD_REDIS_DB": str(PROD_REDIS_DB),
    }
    env.pop("DEBUG")
    if not (PROD_RUN / "renda.env").exists():
        own_redis_db(PROD_REDIS_DB)
    started = time.monotonic()
    try:
        result = prod_command(env, "up")
        assert result.returncode == 0, result.stdout + result.stderr
        say(f"topology up on https://127.0.0.1:{SITE_PORT} in {time.monotonic() - started:.0f} s")
        values = {}
        for line in (PROD_RUN / "renda.env").read_text(encoding="utf-8").splitlines():
            if "=" in line and not line.startswith("#"):
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
        pids = {}
        for line in (PROD_RUN / "pids").read_text().splitlines():
            name, pid, _ = line.split()
            pids[name] = int(pid)
        yield Topology(env=env, app_env={**base_env(), **values}, pids=pids)
    finally:
        result = prod_command(env, "down")
        say("topology down: " + " / ".join(result.stdout.strip().splitlines()))


def group_alive(pgid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def test_a_killing_an_app_server_during_load_loses_no_acknowledged_write(
    topology: Topology,
) -> None:
    people = set_up_people(topology.app_env)
    clients_count, kill_at, run_for, settle = 8, 6.0, 20.0, 3.0
    cafile = PROD_RUN / "tls" / "fullchain.pem"
    clients = []
    for i in range(clients_count):
        client = Client(SITE_PORT, cafile)
        client.log_in(people["users"][i % 2])
        clients.append(client)
    acknowledged: list[tuple[float, str, int]] = []  # (when, title, pk)
    errors: list[tuple[float, str]] = []
    lock = threading.Lock()
    start = time.monotonic()
    stop = threading.Event()

    def load(index: int) -> None:
        client, n = clients[index], 0
        while not stop.is_set():
            n += 1
            title = f"故障{people['tag']}-{index}-{n}"
            form = {
                "title": title,
                "content": f"建议内容{title}：增设停车位，方便群众。",
                "allow_public": "on",
            }
            try:
                status, body, headers = client.post("/suggestions/new/", form)
                found = re.search(r"/suggestions/(\d+)/$", headers.get("location", ""))
                outcome = (status, found)
            except (OSError, http.client.HTTPException) as exc:
                outcome = (0, None)
                body = repr(exc)
            now = time.monotonic() - start
            with lock:
                if outcome[0] == 302 and outcome[1]:
                    acknowledged.append((now, title, int(outcome[1].group(1))))
                else:
                    errors.append((now, f"{outcome[0]} {' '.join(body.split())[:120]}"))

    threads = [threading.Thread(target=load, args=(i,)) for i in range(clients_count)]
    for thread in threads:
        thread.start()
    killed = f"gunicorn-{APP_PORTS[1]}"
    time.sleep(kill_at)
    pgid = topology.pids[killed]
    os.killpg(pgid, signal.SIGKILL)  # the master and its workers: the server is gone at once
    killed_at = time.monotonic() - start
    time.sleep(run_for - kill_at)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    assert not group_alive(pgid), "the killed app server's processes are still there"

    titles = [t for _, t, _ in acknowledged]
    facts = shell(
        topology.app_env,
        f"""
import json
from renda.suggestions.models import Suggestion
rows = dict(Suggestion.objects.filter(title__startswith="故障{people["tag"]}-").values_list("title", "pk"))
print(json.dumps(rows))
""",
    )
    missing = [t for _, t, pk in acknowledged if facts.get(t) != pk]
    after = [e for e in errors if e[0] > killed_at + settle]
    before = [e for e in errors if e[0] < killed_at]
    late_acks = [a for a in acknowledged if a[0] > killed_at + settle]
    say(
        f"a: {clients_count} clients for {run_for:.0f} s through nginx, {killed} killed at "
        f"{killed_at:.1f} s: {len(acknowledged)} drafts acknowledged, all in the database: "
        f"{not missing}; {len(facts) - len(titles)} saved without an acknowledgement; "
        f"errors {len(errors)} (before the kill {len(before)}, in the {settle:.0f} s after it "
        f"{len(errors) - len(before) - len(after)}, later {len(after)}); "
        f"{len(late_acks)} acknowledged after failover"
    )
    for when, what in errors[:10]:
        say(f"a: error at {when:.2f} s: {what}")
    assert not missing, f"acknowledged but not in the database: {missing[:10]}"
    assert not before, before[:5]
    assert len(errors) <= clients_count, "more failures than requests in flight at the kill"
    assert not after, f"errors after failover: {after[:5]}"
    assert len(late_acks) >= clients_count, "the surviving server did not take the load"
    # The surviving server answers, the killed one does not.
    assert port_free(APP_PORTS[1]) and not port_free(APP_PORTS[0])


# == b. PostgreSQL restarted during a budget import ===========================================
@dataclass
class Cluster:
    directory: Path
    port: int
    bin: Path

    @property
    def server(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def ctl(self, *args: str) -> tuple[int, str]:
        """pg_ctl with the server's log in server.log: a postmaster started with pg_ctl's own
        output would hold a pipe of ours open."""
        log = self.directory / "pg_ctl.out"
        with log.open("w") as out:
            result = subprocess.run(
                [
                    *as_postgres(), str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"),
                    "-l", str(self.directory / "server.log"), *args,
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=300,
            )  # fmt: skip
        return result.returncode, log.read_text(errors="replace")


def as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        pytest.skip("no PostgreSQL server binaries (initdb) installed")
    if not port_free(PG_PORT):
        pytest.fail(f"port {PG_PORT} is in use: set RENDA_FAULT_PG_PORT")
    directory = Path(tempfile.mkdtemp(prefix="renda-faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    found = Cluster(directory=directory, port=PG_PORT, bin=versions[-1].parent)
    initdb = subprocess.run(
        [
            *as_postgres(), str(found.bin / "initdb"), "-D", str(directory / "data"),
            "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert initdb.returncode == 0, initdb.stderr
    options = f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {directory} -c fsync=off"
    code, output = found.ctl("-o", options, "-w", "start")
    assert code == 0, output + (directory / "server.log").read_text()
    try:
        yield found
    finally:
        found.ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(directory, ignore_errors=True)


def test_b_restarting_postgresql_during_a_budget_import(
    cluster: Cluster, budget_files: BudgetFiles, tmp_path: Path
) -> None:
    own_redis_db(REDIS_DB + 1)  # the rules runs the imports queue; no consumer here
    url = create_database(cluster.server, "renda_faults_pg")
    env = base_env(DATABASE_URL=url, REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB + 1}",
                   MEDIA_ROOT=str(tmp_path / "media"))  # fmt: skip
    try:
        started = time.monotonic()
        result = manage(env, "migrate", "--noinput", "-v0")
        assert result.returncode == 0, result.stderr[-3000:]
        say(
            f"b: throwaway cluster on port {cluster.port} migrated in {time.monotonic() - started:.0f} s"
        )
        people = set_up_people(env)
        import_reference(env, budget_files, people["staff"])
        command = [
            sys.executable, "manage.py", "import_budget", "payments",
            str(budget_files.directory / "payments.csv"), "--user", people["staff"],
        ]  # fmt: skip
        out, err = tmp_path / "import.out", tmp_path / "import.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            started = time.monotonic()
            proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stdout, stderr=stderr)  # noqa: S603
            try:
                wait_for(lambda: batch_phase(url)[1] == "merging" or proc.poll() is not None,
                         "the import reaching its merge", 600)  # fmt: skip
                assert proc.poll() is None, "the import finished before the restart"
                at = time.monotonic() - started
                code, output = cluster.ctl("-m", "fast", "-w", "restart")
                assert code == 0, output
                proc.wait(timeout=600)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        message = err.read_text(errors="replace").strip()
        say(f"b: restarted at {at:.1f} s (phase merging); the import exited {proc.returncode} "
            f"after {time.monotonic() - started:.1f} s; its last words: {message[-600:]!r}")  # fmt: skip
        facts = shell(env, PAYMENT_FACTS)
        say(
            f"b: after the failure: {facts['payments']} payments, {facts['changes']} changes, batches {facts['batches']}"
        )
        assert proc.returncode != 0
        assert facts["payments"] == 0 and facts["changes"] == 0, "half-written"
        assert all(status != "committed" for _, status, _, _ in facts["batches"])
        # A clear message: the command ends with one Chinese sentence, not a traceback (the
        # log line before it may carry one, for the operator); the batch does not stay 校验中.
        last = message.splitlines()[-1] if message else ""
        assert last.startswith("CommandError: 数据库连接中断"), f"not a clear message: {last!r}"
        assert all(status == "failed" for _, status, _, _ in facts["batches"]), facts["batches"]

        started = time.monotonic()
        again = manage(env, *command[2:], timeout=900)
        seconds = time.monotonic() - started
        assert again.returncode == 0, again.stdout + again.stderr[-3000:]
        facts = shell(env, PAYMENT_FACTS)
        say(f"b: re-run: {again.stdout.strip()} ({seconds:.1f} s); {facts['payments']:,} payments, "
            f"sum {facts['amount']}, the file's vouchers: {facts['digest'] == budget_files.digest}")  # fmt: skip
        assert facts["payments"] == facts["vouchers"] == budget_files.vouchers
        assert facts["digest"] == budget_files.digest, "not the file's vouchers"
        assert [b[1] for b in facts["batches"]].count("committed") == 1
    finally:
        redis(REDIS_DB + 1, "flushdb")


# == c. a Huey consumer killed mid-job =========================================================
@dataclass
class MainDatabase:
    env: dict[str, str]
    url: str
    people: dict[str, Any]


@pytest.fixture(scope="module")
def main_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MainDatabase]:
    """A database of these tests on the machine's cluster (created, migrated, dropped), and
    a Redis database of their own (emptied at the end)."""
    own_redis_db(REDIS_DB)
    name = f"renda_faults_{secrets.token_hex(3)}"
    url = create_database(MAIN_PG, name)
    media = tmp_path_factory.mktemp("faults-media")
    env = base_env(DATABASE_URL=url, REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
                   MEDIA_ROOT=str(media), IMPORT_MAX_BYTES=str(200 * 2**20))  # fmt: skip
    try:
        result = manage(env, "migrate", "--noinput", "-v0")
        assert result.returncode == 0, result.stderr[-3000:]
        yield MainDatabase(env=env, url=url, people=set_up_people(env))
    finally:
        drop_database(MAIN_PG, name)
        redis(REDIS_DB, "flushdb")


def consumer(env: dict[str, str], log: Path, *, periodic: bool = False) -> subprocess.Popen[bytes]:
    """A consumer as deploy/renda-huey.service runs it, with or without the scheduler."""
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603
            [
                sys.executable, "manage.py", "run_huey", "--workers", "2", "--worker-type", "thread",
                "--graceful-signal", "TERM", "--shutdown-timeout", "60",
                *([] if periodic else ["--no-periodic"]),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


UPLOAD = """
import json
from pathlib import Path
from django.core.files.uploadedfile import SimpleUploadedFile
from renda.accounts.models import User
from renda.budget.services.batches import start_upload
data = Path({path!r}).read_bytes()
batch = start_upload(actor=User.objects.get(username={user!r}), kind="payments",
    upload=SimpleUploadedFile("payments.csv", data, content_type="text/csv"))
print(json.dumps(batch.pk))
"""


def test_c_killing_a_huey_consumer_mid_job(
    main_db: MainDatabase, budget_files: BudgetFiles, tmp_path: Path
) -> None:
    env, url = main_db.env, main_db.url
    workers: list[subprocess.Popen[bytes]] = []
    try:
        import_reference(env, budget_files, main_db.people["staff"])
        redis(REDIS_DB, "flushdb")  # the rules runs queued by the reference imports
        log = tmp_path / "huey.log"
        workers.append(consumer(env, log))
        path = budget_files.directory / "payments.csv"
        batch = shell(env, UPLOAD.format(path=str(path), user=main_db.people["staff"]))
        started = time.monotonic()
        wait_for(lambda: batch_phase(url)[1] == "merging" or workers[0].poll() is not None,
                 "the job reaching its merge", 600)  # fmt: skip
        assert batch_phase(url)[0] == "validating", batch_phase(url)
        os.killpg(workers[0].pid, signal.SIGKILL)
        workers[0].wait(timeout=30)
        at = time.monotonic() - started
        time.sleep(2)  # PostgreSQL notices the closed connection and rolls back
        facts = shell(env, PAYMENT_FACTS)
        say(f"c: consumer killed {at:.1f} s into the job (merging): {facts['payments']} payments, "
            f"batches {facts['batches']}; queue length {redis(REDIS_DB, 'llen', 'huey.redis.renda')}")  # fmt: skip
        assert facts["payments"] == 0 and facts["changes"] == 0, "half-written"

        # Restarted as systemd restarts huey-1: with the scheduler (a sweep of lost jobs would
        # be a periodic task).
        workers.append(consumer(env, log, periodic=True))
        restarted = time.monotonic()
        try:
            wait_for(lambda: batch_phase(url)[0] == "committed", "the job run again", 240, step=1)
            retried = f"retried and committed {time.monotonic() - restarted:.1f} s after the new consumer started"
        except AssertionError:
            retried = ""
        facts = shell(env, PAYMENT_FACTS)
        say(f"c: {retried or 'NOT retried within 240 s'}; {facts['payments']:,} payments "
            f"(file {budget_files.vouchers:,}), batches {facts['batches']}")  # fmt: skip
        assert retried, (
            f"batch {batch} was not run again: Huey's Redis queue drops a job when a worker takes "
            "it (BRPOP), and nothing re-queues an upload left 校验中"
        )
        assert facts["payments"] == facts["vouchers"] == budget_files.vouchers
        assert facts["digest"] == budget_files.digest, "not the file's vouchers"
    finally:
        for worker in workers:
            stop_process(worker)
        redis(REDIS_DB, "flushdb")


# == d. the uploads' filesystem full ===========================================================
@pytest.fixture
def small_media(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "media-small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        pytest.skip(f"cannot mount a tmpfs: {result.stderr}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def media_files(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): p.stat().st_size
        for p in root.rglob("*")
        if p.is_file() and p.name != "filler"
    }


ATTACHMENTS = """
import json
from django.core.files.storage import default_storage
from renda.suggestions.models import Attachment
print(json.dumps([[a.file.name, a.size, default_storage.exists(a.file.name)]
                  for a in Attachment.objects.filter(suggestion_id={draft})]))
"""


def test_d_a_full_disk_for_uploads(
    main_db: MainDatabase, small_media: Path, tmp_path: Path
) -> None:
    env = {**main_db.env, "MEDIA_ROOT": str(small_media)}
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "renda.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2", "--timeout", "120"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_for(lambda: not port_free(port), "the app server", 120)
        client = Client(port)
        client.log_in(main_db.people["users"][0])
        draft = main_db.people["drafts"][0]
        path = f"/suggestions/{draft}/attachments/"

        def upload(name: str, size: int) -> tuple[int, str, bytes]:
            content = (
                b"%PDF-1.4\n%" + secrets.token_hex(size // 2).encode()[: size - 20] + b"\n%%EOF\n"
            )
            body, kind = multipart({"kind": "material"}, name, content)
            status, data, _ = client.request("POST", path, body, kind)
            return status, data.decode("utf-8", "replace"), content

        first = upload("第一份材料.pdf", 1 << 20)
        assert first[0] == 302, first[1][-1000:]
        # Fill the filesystem to the last byte.
        with open(small_media / "filler", "wb") as filler:
            try:
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
            except OSError:
                pass
        free = shutil.disk_usage(small_media).free
        status, html, _ = upload("第二份材料.pdf", 1 << 20)
        text = re.sub(r"<[^>]+>", " ", html)
        shown = re.findall(r"[^\s<>]*(?:空间|磁盘|存储)[^\s<>]*", text)
        rows = shell(env, ATTACHMENTS.format(draft=draft))
        files = media_files(small_media)
        say(f"d: full ({free} bytes free): the upload answered {status}, message {shown[:3]}; "
            f"files {files}; rows {rows}")  # fmt: skip
        # Nothing corrupt: every row has its whole file, every file (but the filler) its row.
        assert all(exists for _, _, exists in rows), "a row points at a missing file"
        assert files == {name: size for name, size, _ in rows}, "a half-written or orphan file"
        assert status in {200, 400, 507}, f"the upload on a full disk answered {status}"
        assert shown, "no clear message about the full disk: " + text[-800:]

        (small_media / "filler").unlink()
        third = upload("第三份材料.pdf", 1 << 20)
        assert third[0] == 302, third[1][-1000:]
        rows = shell(env, ATTACHMENTS.format(draft=draft))
        assert len(rows) == 2 and all(exists for _, _, exists in rows)
        say(f"d: after freeing space: the upload answered {third[0]}; rows {rows}")
        assert media_files(small_media) == {name: size for name, size, _ in rows}
    finally:
        stop_process(server)
