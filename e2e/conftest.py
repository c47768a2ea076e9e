"""Browser tests: Playwright for Python driving Debian's Chromium (`make browser` installs it;
Playwright never downloads a browser here).

The site runs the way `make run` runs it, as a separate process: a fresh database in a temp
directory (SQLite, or a temporary PostgreSQL database when DATABASE_URL points at one),
`migrate`, `seed_demo` (with DEBUG on, which the command asks for), then
`manage.py runserver --noreload --insecure` with DEBUG off, so that pages, error pages (the
project's Chinese 404, not Django's debug page) and static files are what users see. A subprocess
rather than pytest-django's `live_server` because Playwright's sync API runs an event loop
in the test thread, where Django refuses ORM calls; and because it proves that the demo data
set, the static files and the settings work together exactly as a newcomer gets them.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
# Flags seen working on these machines: no sandbox as root, no GPU, and no
# background traffic to Google services, which an intranet machine cannot reach anyway.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}

# The last demo TOTP code each account used in this test session. A code is accepted once
# per account (and never an older one), and the demo accounts share one key, so two tests
# that log the same account in within one 30-second step must not send the same code.
_CODES_USED: dict[str, int] = {}


def _fresh_totp(username: str) -> int:
    from django_otp.oath import totp

    from renda.core.demo_data import DEMO_TOTP_KEY

    while (code := totp(DEMO_TOTP_KEY)) == _CODES_USED.get(username):
        time.sleep(1)
    _CODES_USED[username] = code
    return code


@pytest.fixture(scope="session")
def fresh_totp() -> Any:
    """`fresh_totp(username)`: the demo TOTP code for that account, waiting for the next
    30-second step if the account already used the current one in this session."""
    return _fresh_totp


@pytest.fixture(scope="session")
def sign_in(site: Site) -> Any:
    """`sign_in(page, username, code=False)`: a demo account logs in through the log-in page
    as a user does, with the TOTP step when `code`; by default it checks the user got past
    the log-in pages."""
    from renda.core.demo_data import DEMO_PASSWORD

    def run(page: Any, username: str, *, code: bool = False, check: bool = True) -> Any:
        page.goto(site.url + "/accounts/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.locator("form button[type=submit]").click()
        if code:
            page.wait_for_url("**/accounts/otp/verify/**")
            page.locator("input[name=token]").fill(f"{_fresh_totp(username):06d}")
            page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        if check:
            assert "/accounts/" not in page.url, f"{username} 未能登录"
        return page

    return run


# What the demo deputies' records hold, read from the site's database once per session.
_DUMP_DEPUTIES = (
    "import json\n"
    "from renda.deputies.models import Deputy\n"
    "print(json.dumps([[d.name, d.mobile, d.id_number] for d in Deputy.objects.all()]))\n"
)


@dataclass
class Site:
    url: str
    env: dict[str, str]
    deputies: list[tuple[str, str, str]]  # (name, mobile, id number)

    def read(self, code: str) -> Any:
        """Run `code` in the site's Django shell and return what it printed as JSON: tests
        check a page against the rows in the site's database, not against fixed figures."""
        return json.loads(self.manage("shell", "-v0", "-c", code))

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=1800,  # seed_demo takes minutes on a busy machine (6 at load 5)
            check=True,
        )
        return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180  # a loaded CI machine starts Django slowly
    while True:
        try:
            urllib.request.urlopen(url + "/api/v1/health", timeout=5)
            return
        except OSError:  # not listening yet
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "测试站点未能启动：\n" + log.read_text(errors="replace")
                ) from None
            time.sleep(0.3)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not (ROOT / "static" / "vendor" / "bootstrap" / "bootstrap.min.css").exists():
        # Without it every page renders unstyled and the layout checks mean nothing.
        pytest.fail("static/vendor/ 缺少 Bootstrap：请先运行 `make vendor`")
    workdir = tmp_path_factory.mktemp("e2e-site")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    base_url = os.environ.get("DATABASE_URL", "")
    created_db = admin_url = ""
    if base_url.startswith("postgres"):
        created_db = f"renda_e2e_{secrets.token_hex(4)}"
        admin_url = base_url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {created_db}"], check=True)
        env["DATABASE_URL"] = base_url.rsplit("/", 1)[0] + f"/{created_db}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    env.update(DEBUG="1", ALLOWED_HOSTS="127.0.0.1,localhost", MEDIA_ROOT=str(workdir / "media"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    site = Site(url=url, env=env, deputies=[])
    site.manage("migrate", "--noinput", "-v0")
    site.manage("seed_demo")
    site.deputies = [
        tuple(row) for row in json.loads(site.manage("shell", "-v0", "-c", _DUMP_DEPUTIES))
    ]  # type: ignore[misc]
    log = workdir / "runserver.log"
    serve_env = {**env, "DEBUG": "0"}  # as `make run` serves it
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--insecure",
            ],
            cwd=ROOT,
            env=serve_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(url, proc, log)
            yield site
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            if created_db:
                subprocess.run(
                    [
                        "psql",
                        admin_url,
                        "-qc",
                        f"DROP DATABASE IF EXISTS {created_db} WITH (FORCE)",
                    ],
                    check=False,
                )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"找不到 {CHROMIUM}：请先运行 `make browser`（apt-get install chromium fonts-noto-cjk）"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) at a desktop size."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh browser context the size of a common phone (docs/architecture.md §8: 390×844)."""
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def save_screenshot() -> Any:
    """`save_screenshot(page, "name")` → e2e/screenshots/name.png (full page)."""

    def save(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
