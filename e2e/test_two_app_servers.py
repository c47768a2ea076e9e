"""Two app servers (gunicorn) share one database: a session started on one is valid on the
other, and concurrent writes through both keep the audit chain intact (docs/architecture.md §7).

Uses PostgreSQL when DATABASE_URL points at it (as in CI), otherwise a temporary SQLite file.
"""

from __future__ import annotations

import concurrent.futures
import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Two-Servers-2026!"
pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def shared_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    base_url = os.environ.get("DATABASE_URL", "")
    created = None
    if base_url.startswith("postgres"):
        created = f"renda_two_servers_{secrets.token_hex(4)}"
        admin = base_url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {created}"], check=True)
        env["DATABASE_URL"] = base_url.rsplit("/", 1)[0] + f"/{created}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('two') / 'db.sqlite3'}"
    env.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1", CONN_MAX_AGE="0")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    script = (
        "from renda.accounts.services import create_user\n"
        "for i in range(8):\n"
        f"    create_user(actor=None, username=f'deputy{{i}}', name=f'代表{{i}}', role='deputy', password='{PASSWORD}', must_change_password=False)\n"
    )
    subprocess.run([*manage, "shell", "-c", script], cwd=ROOT, env=env, check=True, timeout=300)
    yield env
    if created:
        subprocess.run(
            ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {created} WITH (FORCE)"], check=False
        )


@pytest.fixture(scope="module")
def servers(shared_env: dict[str, str]) -> Iterator[list[str]]:
    urls, procs = [], []
    for _ in range(2):
        port = free_port()
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "renda.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--threads",
                    "2",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=shared_env,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        wait_until_up(urls)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)


def wait_until_up(urls: list[str]) -> None:
    deadline = time.monotonic() + 60
    for url in urls:
        while True:
            try:
                urllib.request.urlopen(url + "/api/v1/health", timeout=5)
                break
            except OSError:  # not listening yet, or the worker is still booting
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, url: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers={"Referer": url})
        try:
            with self.opener.open(req, timeout=30) as resp:
                return resp.status, resp.read().decode(), resp.headers.get("Location", "")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(), err.headers.get("Location", "")

    def login(self, base: str, username: str) -> int:
        _, html, _ = self.request(base + "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, "no CSRF token on the log-in page"
        status, _, _ = self.request(
            base + "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD},
        )
        return status


def test_a_session_started_on_one_server_is_valid_on_the_other(servers: list[str]) -> None:
    a, b = servers
    browser = Browser()
    assert browser.login(a, "deputy0") == 302
    status, html, _ = browser.request(b + "/workbench/")
    assert status == 200 and "代表0" in html


def test_concurrent_writes_through_both_servers_keep_the_audit_chain(
    servers: list[str], shared_env: dict[str, str]
) -> None:
    def log_in(i: int) -> int:
        return Browser().login(servers[i % 2], f"deputy{i % 8}")

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(log_in, range(24)))
    assert statuses == [302] * 24
    result = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        cwd=ROOT,
        env=shared_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "完整" in result.stdout
