"""A harness for load benchmarks against the site as it runs in production: PostgreSQL, several
gunicorn app servers with DEBUG off, many logged-in users at once.

    from servers import BenchSite, AppServers, make_sessions, run_load, summarize

    with BenchSite("meetings") as site:        # a fresh database renda_bench_<pid>, migrated;
        ...seed through the services...          # Django is set up in this process against it
        sessions = make_sessions(users)          # logged-in sessions without the login page
        with AppServers(site, count=2) as app:   # N gunicorn processes on loopback ports
            results = run_load(app, jobs, threads=32)
        summarize(results, label="…")

Everything the harness starts it stops by pid (gunicorn processes: SIGTERM, then SIGKILL), and
the database is dropped at the end — on an exception, on Ctrl-C and on SIGTERM too; a gunicorn
process also dies with the benchmark if the benchmark is killed outright (PR_SET_PDEATHSIG).

Isolation from the developer's checkout: the processes get a settings module of their own
(written to a temporary directory) that moves the Huey queue to a temporary file (or a queue
name of its own on Redis) and prefixes the cache keys, uploads go to a temporary MEDIA_ROOT,
and audit checkpoints to a temporary file. Redis is used when it answers, as in production.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import datetime as dt
import http.client
import itertools
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
HEALTH_PATH = "/api/v1/health"
SESSION_BACKEND = "renda.accounts.backends.UsernameOrMobileBackend"

SETTINGS_TEMPLATE = '''"""Settings of one benchmark run (written by bench/servers.py): the project's settings
with the queue and the cache kept apart from the developer's."""
from renda.settings import *  # noqa: F403

HUEY = {{**HUEY, "name": "{name}", "immediate": False}}  # noqa: F405
if HUEY["huey_class"] == "huey.SqliteHuey":
    HUEY["filename"] = "{work}/huey.sqlite3"
CACHES["default"]["KEY_PREFIX"] = "{name}"  # noqa: F405
'''


def _redis_answers(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _admin_connection() -> Any:
    import psycopg

    return psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True)


def postgres_answers() -> str:
    """Empty when the benchmarks' PostgreSQL server answers, else the reason it does not."""
    try:
        with _admin_connection() as conn:
            conn.execute("SELECT 1")
    except Exception as error:
        return str(error).splitlines()[0] if str(error) else repr(error)
    return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BenchSite:
    """A fresh, migrated PostgreSQL database and the environment of every process of the run;
    Django is set up in this process against it. Use as a context manager (once)."""

    def __init__(self, label: str, *, redis: bool | None = None, migrate: bool = True) -> None:
        self.label = label
        self.name = f"renda_bench_{os.getpid()}"
        self.url = f"{PG_ADMIN_URL}/{self.name}"
        self.work = Path(tempfile.mkdtemp(prefix=f"renda-bench-{label}-"))
        self.redis = _redis_answers(REDIS_URL) if redis is None else redis
        self.migrate = migrate
        self._created = False
        self._servers: list[AppServers] = []
        settings_name = f"bench_settings_{os.getpid()}"
        (self.work / f"{settings_name}.py").write_text(
            SETTINGS_TEMPLATE.format(name=self.name, work=self.work), encoding="utf-8"
        )
        # Production-like, but plain HTTP on loopback (RENDA_PRODUCTION would force HTTPS).
        self.env: dict[str, str] = {
            "DJANGO_SETTINGS_MODULE": settings_name,
            "PYTHONPATH": os.pathsep.join([str(self.work), str(ROOT)]),
            "DATABASE_URL": self.url,
            "DEBUG": "0",
            "SECRET_KEY": f"bench-{os.getpid()}-" + "k" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MEDIA_ROOT": str(self.work / "media"),
            "AUDIT_CHECKPOINT_PATH": str(self.work / "audit-checkpoints.jsonl"),
            "SMS_BACKEND": "console",
            "LOG_LEVEL": "ERROR",
            "CONN_MAX_AGE": "60",
        }
        if self.redis:
            self.env["REDIS_URL"] = REDIS_URL

    # -- lifetime ------------------------------------------------------------------------
    def __enter__(self) -> BenchSite:
        atexit.register(self.close)
        previous = signal.getsignal(signal.SIGTERM)

        def on_term(signum: int, frame: Any) -> None:  # SIGTERM unwinds like Ctrl-C does
            signal.signal(signal.SIGTERM, previous)
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, on_term)
        with _admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self._created = True
        for key in ("DATABASE_URL", "REDIS_URL"):
            os.environ.pop(key, None)
        os.environ.update(self.env)
        sys.path[:0] = [str(self.work), str(ROOT)]
        import django

        django.setup()
        if self.migrate:
            from django.core.management import call_command

            started = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            print(f"  database {self.name} migrated in {time.perf_counter() - started:.1f} s")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for servers in list(self._servers):
            servers.stop()
        if self._created:
            self._created = False
            self._forget_queue_and_cache()
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            try:
                with _admin_connection() as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            except Exception as error:  # reported, not raised: we are already unwinding
                print(f"  could not drop {self.name}: {error}", file=sys.stderr)
        shutil.rmtree(self.work, ignore_errors=True)

    def _forget_queue_and_cache(self) -> None:
        """The run's Huey queue and cache keys (on Redis they outlive the process)."""
        with contextlib.suppress(Exception):
            from huey.contrib.djhuey import HUEY

            HUEY.flush()
        if self.redis:
            with contextlib.suppress(Exception):
                import redis

                client = redis.Redis.from_url(REDIS_URL)
                for key in client.scan_iter(f"{self.name}:*", count=1000):
                    client.delete(key)

    def describe(self) -> str:
        return f"PostgreSQL {self.name}, cache/queue {'Redis' if self.redis else 'local'}"


def _die_with_parent() -> None:
    # Linux: the child gets SIGTERM when the benchmark process dies, however it dies.
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class AppServers:
    """`count` gunicorn processes (each `workers` × `threads`) on free loopback ports."""

    def __init__(
        self,
        site: BenchSite,
        count: int,
        *,
        workers: int = 1,
        threads: int = 2,
        timeout: float = 60.0,
    ) -> None:
        self.site = site
        self.count = count
        self.workers = workers
        self.threads = threads
        self.timeout = timeout
        self.ports: list[int] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def describe(self) -> str:
        return (
            f"{self.count} gunicorn × {self.workers} worker × {self.threads} threads "
            f"(ports {', '.join(map(str, self.ports))})"
        )

    def __enter__(self) -> AppServers:
        self.site._servers.append(self)
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        env = {**os.environ, **self.site.env}
        for _ in range(self.count):
            port = free_port()
            log = self.site.work / f"gunicorn-{port}.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [
                        str(GUNICORN),
                        "renda.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        str(self.workers),
                        "--threads",
                        str(self.threads),
                        "--timeout",
                        "120",
                        "--log-level",
                        "warning",
                        "--error-logfile",
                        "-",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,  # Ctrl-C reaches the benchmark, which stops us
                    preexec_fn=_die_with_parent,
                )
            self.ports.append(port)
            self.procs.append(proc)
            self.logs.append(log)
        deadline = time.monotonic() + self.timeout
        for port, proc, log in zip(self.ports, self.procs, self.logs, strict=True):
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"gunicorn on {port} exited:\n{log.read_text()[-3000:]}")
                if _answers(port):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn on {port} did not answer:\n{log.read_text()}")
                time.sleep(0.2)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # its own session: its workers only
                proc.wait(timeout=5)
        self.procs = []
        if self in self.site._servers:
            self.site._servers.remove(self)

    def server_errors(self) -> list[str]:
        """Tracebacks the servers logged (a 500 leaves one)."""
        found = []
        for log in self.logs:
            if log.exists():
                text = log.read_text(errors="replace")
                found += [
                    m.group(0)[:2000] for m in re.finditer(r"Traceback.*?(?=\n\S|\Z)", text, re.S)
                ]
        return found


def _answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", HEALTH_PATH)
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


# -- logged-in sessions ----------------------------------------------------------------------
CSRF_SECRET_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass
class Login:
    user_id: int
    session_key: str
    csrf: str  # the CSRF secret, sent as the csrftoken cookie and the X-CSRFToken header


def make_sessions(users: Iterable[Any]) -> list[Login]:
    """A logged-in session per user, written straight into the session store the settings use
    (database-backed by default), as the SMS-code log in leaves it: the auth keys, the absolute
    lifetime's start, no password owed (renda_sms_login) and no second factor enrolled — users
    outside the strict roles (deputies) have none; strict roles (staff) would still be sent to
    the TOTP step, so they are refused here."""
    import secrets

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.module_loading import import_string

    from renda.accounts.middleware import (
        OTP_ENROLLED_KEY,
        SESSION_REFRESHED_KEY,
        SESSION_STARTED_KEY,
        SMS_LOGIN_KEY,
    )

    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    database_backed = settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    now = int(time.time())
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    logins: list[Login] = []
    rows = []
    for user in users:
        if getattr(user, "is_strict", False):
            raise ValueError(f"{user.username}: strict roles need a TOTP device in the session")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: SESSION_BACKEND,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            SESSION_STARTED_KEY: now,
            # Refreshed just now, as by the page views that follow a log in (the ballot page
            # before a cast): the once-a-minute session write is not on the first request.
            SESSION_REFRESHED_KEY: now,
            OTP_ENROLLED_KEY: False,
            SMS_LOGIN_KEY: True,
        }
        csrf = "".join(secrets.choice(CSRF_SECRET_CHARS) for _ in range(32))
        if database_backed:
            key = secrets.token_hex(16)  # 32 characters of [0-9a-f], as Django makes them
            rows.append(
                Session(
                    session_key=key, session_data=store_class().encode(data), expire_date=expires
                )
            )
        else:  # a cache or signed-cookie engine: one save per session
            store = store_class()
            store.update(data)
            store.save(must_create=True)
            key = store.session_key
        logins.append(Login(user.pk, key, csrf))
    if rows:
        Session.objects.bulk_create(rows, batch_size=1000)
    return logins


# -- the load driver -------------------------------------------------------------------------
@dataclass
class Result:
    label: str
    status: int  # 0: no answer (connection error, timeout)
    latency: float  # seconds, request sent → response read
    started: float  # seconds since the run's start
    port: int
    body: str = field(default="", repr=False)
    location: str = ""
    error: str = ""
    set_cookies: list[str] = field(default_factory=list, repr=False)


class Browser:
    """One user's cookies and requests; requests go round-robin over the app servers (as the
    load balancer does), each over a keep-alive connection of the calling thread."""

    def __init__(self, driver: Driver, login: Login | None = None) -> None:
        self.driver = driver
        self.login = login
        self.cookies: dict[str, str] = {}
        if login is not None:
            self.cookies["sessionid"] = login.session_key
            self.cookies["csrftoken"] = login.csrf

    def get(self, path: str, label: str = "", *, keep_body: bool = False) -> Result:
        return self.request("GET", path, label=label, keep_body=keep_body)

    def post(
        self, path: str, data: dict[str, str] | None = None, label: str = "", **kw: Any
    ) -> Result:
        body = urllib.parse.urlencode(data or {}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body=body, headers=headers, label=label, **kw)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        label: str = "",
        keep_body: bool = False,
    ) -> Result:
        headers = dict(headers or {})
        if method != "GET" and self.login is not None:
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", self.login.csrf)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        result = self.driver.send(method, path, body, headers, label or f"{method} {path}")
        self._take_cookies(result.set_cookies)
        result.set_cookies = []
        if not keep_body:
            result.body = ""
        return result

    def _take_cookies(self, values: list[str]) -> None:
        for value in values:
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                gone = morsel["max-age"] == "0" or (
                    morsel["expires"] and "1970" in morsel["expires"]
                )
                if gone:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


class Driver:
    """Sends requests and records every one of them (thread-safe)."""

    def __init__(self, ports: Sequence[int], timeout: float = 30.0) -> None:
        self.ports = list(ports)
        self.timeout = timeout
        self.results: list[Result] = []
        self._lock = threading.Lock()
        self._next = itertools.count()
        self._local = threading.local()
        self.t0 = time.perf_counter()

    def browser(self, login: Login | None = None) -> Browser:
        return Browser(self, login)

    def _connection(self, port: int) -> http.client.HTTPConnection:
        pool: dict[int, http.client.HTTPConnection] = self._local.__dict__.setdefault("pool", {})
        conn = pool.get(port)
        if conn is None:
            conn = pool[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
        return conn

    def _drop(self, port: int) -> None:
        pool = self._local.__dict__.get("pool", {})
        conn = pool.pop(port, None)
        if conn is not None:
            conn.close()

    def send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str], label: str
    ) -> Result:
        port = self.ports[next(self._next) % len(self.ports)]
        browser_cookies: list[str] = []
        started = time.perf_counter()
        status, text, location, error = 0, "", "", ""
        for attempt in (1, 2):
            conn = self._connection(port)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                status = response.status
                location = response.getheader("Location", "")
                browser_cookies = response.headers.get_all("Set-Cookie") or []
                text = raw.decode("utf-8", "replace")
                if response.will_close:
                    self._drop(port)
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                # A kept-alive connection the server closed meanwhile: reconnect once.
                self._drop(port)
                error = repr(exc)
                if attempt == 2:
                    break
                started = time.perf_counter()
            except OSError as exc:
                self._drop(port)
                error = repr(exc)
                break
        latency = time.perf_counter() - started
        result = Result(
            label, status, latency, started - self.t0, port, text, location, "" if status else error
        )
        result.set_cookies = browser_cookies
        with self._lock:
            self.results.append(result)
        return result


Job = Callable[[Driver], None]


def run_load(
    ports: Sequence[int] | AppServers,
    jobs: Sequence[tuple[float, Job]],
    *,
    threads: int = 32,
    timeout: float = 30.0,
) -> tuple[Driver, float, float]:
    """Run `jobs` — (start offset in seconds, function of the driver) — open-loop: each job
    starts at its offset (or as soon as a thread is free, if all are busy: that delay is
    returned as the worst start lag). Offsets all 0 means as fast as `threads` clients can go.
    Returns the driver (its `results`), the wall time and the worst start lag in seconds."""
    port_list = ports.ports if isinstance(ports, AppServers) else list(ports)
    driver = Driver(port_list, timeout=timeout)
    pending: queue.Queue[tuple[float, Job] | None] = queue.Queue()
    for job in sorted(jobs, key=lambda j: j[0]):
        pending.put(job)
    lags: list[float] = []
    failures: list[BaseException] = []

    def worker() -> None:
        while True:
            item = pending.get()
            if item is None:
                return
            offset, job = item
            delay = driver.t0 + offset - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            lags.append(max(0.0, time.perf_counter() - driver.t0 - offset))
            try:
                job(driver)
            except BaseException as error:  # a bug in a job: reported, the run goes on
                failures.append(error)

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for _ in workers:
        pending.put(None)
    driver.t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - driver.t0
    if failures:
        raise RuntimeError(f"{len(failures)} job(s) failed, first: {failures[0]!r}") from failures[
            0
        ]
    return driver, wall, max(lags, default=0.0)


# -- figures ---------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of `values`."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Figures:
    count: int
    per_second: float
    p50: float
    p95: float
    p99: float
    worst: float
    statuses: Counter[int]
    errors: int


def figures(results: Sequence[Result], wall: float | None = None) -> Figures:
    latencies = [r.latency for r in results]
    if wall is None and results:
        wall = max(r.started + r.latency for r in results) - min(r.started for r in results)
    statuses = Counter(r.status for r in results)
    errors = sum(n for status, n in statuses.items() if status == 0 or status >= 500)
    return Figures(
        count=len(results),
        per_second=len(results) / wall if wall else float("nan"),
        p50=percentile(latencies, 50),
        p95=percentile(latencies, 95),
        p99=percentile(latencies, 99),
        worst=max(latencies, default=float("nan")),
        statuses=statuses,
        errors=errors,
    )


def summarize(
    results: Sequence[Result], *, label: str, wall: float | None = None, unit: str = "req"
) -> Figures:
    """Print one line: throughput, p50/p95/p99/max in ms, the statuses and the errors
    (status 0 = no answer, or 5xx)."""
    f = figures(results, wall)
    statuses = " ".join(f"{status or 'none'}×{n}" for status, n in sorted(f.statuses.items()))
    print(
        f"  {label}: {f.count} {unit}, {f.per_second:.1f} {unit}/s, "
        f"p50 {f.p50 * 1000:.0f} ms, p95 {f.p95 * 1000:.0f} ms, p99 {f.p99 * 1000:.0f} ms, "
        f"max {f.worst * 1000:.0f} ms; status {statuses}; errors {f.errors}",
        flush=True,
    )
    return f


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


class Timer:
    def __enter__(self) -> Timer:
        self.started = time.perf_counter()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.seconds = time.perf_counter() - self.started
