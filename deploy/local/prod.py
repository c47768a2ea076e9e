"""The production topology on this machine (docs/deploy.md §11): PostgreSQL, Redis, two gunicorn
app servers, two Huey consumers (exactly one with the scheduler) and nginx in front, with
RENDA_PRODUCTION=1 and the files in deploy/.

    python3 deploy/local/prod.py up       # make prod-up
    python3 deploy/local/prod.py status   # make prod-status
    python3 deploy/local/prod.py down     # make prod-down

Everything lives in var/prod/ (gitignored): the environment file with generated keys (0600),
a self-signed certificate for 127.0.0.1, collectstatic's output, uploads, logs, nginx's
configuration, pid file and temp directories, and `pids`: one line per process this script
started (name, pid, start time). RENDA_PROD_DIR, RENDA_PROD_SITE_PORT (the app servers on the
next two ports, the HTTP redirect 80 above), RENDA_PROD_DATABASE and RENDA_PROD_REDIS_DB run a
second topology beside the default one (e2e/test_faults.py does). `down` stops exactly those, by pid, after checking that the pid
still belongs to the process that was started (its start time in /proc). PostgreSQL and Redis
are started only when they do not answer, and stopped only if they were started here.

The app servers and consumers run the ExecStart lines of deploy/renda-gunicorn@.service and
deploy/renda-huey.service, with their Environment= defaults and then var/prod/renda.env;
nginx runs deploy/nginx-renda.conf with the loopback ports, certificate and directories of
this run substituted (each substitution must match, so a change of that file is noticed).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import secrets
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A second topology beside the default one (the fault tests, e2e/test_faults.py, while someone
# benchmarks the default one) sets these four; the defaults are the topology of docs/deploy.md §11.
# A run directory is written for one set of them (its renda.env): use another directory
# for another set.
RUN = Path(os.environ.get("RENDA_PROD_DIR", ROOT / "var" / "prod"))
DEPLOY = ROOT / "deploy"
PYTHON = ROOT / ".venv" / "bin" / "python"
DATABASE = os.environ.get("RENDA_PROD_DATABASE", "renda_prod")
PG_ADMIN = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAq"]
# A Redis database of its own: the queue ("renda") and the cache never meet another checkout's.
REDIS_DB = int(os.environ.get("RENDA_PROD_REDIS_DB", "8"))
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
SITE_PORT = int(os.environ.get("RENDA_PROD_SITE_PORT", "8100"))  # nginx, HTTPS
# nginx, plain HTTP → 301 to HTTPS, as port 80 in production; the app servers on the next two.
REDIRECT_PORT = SITE_PORT + 80
APP_PORTS = (SITE_PORT + 1, SITE_PORT + 2)
SITE = f"https://127.0.0.1:{SITE_PORT}"
HEALTH = "/api/v1/health"
# Fewer processes than the units' defaults (4 × 2): this machine has two cores.
PROCESS_COUNTS = {"GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "2", "HUEY_WORKERS": "2"}


def say(message: str) -> None:
    sys.stdout.write(f"prod: {message}\n")
    sys.stdout.flush()


def run(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, text=True, capture_output=True, **kw)  # noqa: S603


# -- the environment -------------------------------------------------------------------------
def env_file() -> Path:
    return RUN / "renda.env"


def write_env_file() -> None:
    """Generated once: the keys must never change under existing data (docs/deploy.md §4)."""
    path = env_file()
    if path.exists():
        return
    lines = [
        "# Written by deploy/local/prod.py for the local production topology. Keys generated once.",
        "RENDA_PRODUCTION=1",
        "DEBUG=0",
        f"SECRET_KEY={secrets.token_urlsafe(60)}",
        f"FIELD_ENCRYPTION_KEY={secrets.token_hex(16)}",
        f"BLIND_INDEX_KEY={secrets.token_hex(16)}",
        f"AUDIT_HMAC_KEY={secrets.token_hex(16)}",
        f"DATABASE_URL=postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "CONN_MAX_AGE=60",
        f"REDIS_URL={REDIS_URL}",
        f"STATIC_ROOT={RUN / 'static'}",
        f"MEDIA_ROOT={RUN / 'media'}",
        f"AUDIT_CHECKPOINT_PATH={RUN / 'audit-checkpoints.jsonl'}",
        "ALLOWED_HOSTS=127.0.0.1,localhost",
        f"CSRF_TRUSTED_ORIGINS=https://127.0.0.1:{SITE_PORT},https://localhost:{SITE_PORT}",
        "TRUSTED_PROXIES=127.0.0.1,::1",
        "SECURE_SSL_REDIRECT=1",
        # No mail relay on this machine: mail goes to the consumers' logs; SMS to the log too.
        "EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend",
        "SMS_BACKEND=console",
        "LOG_LEVEL=INFO",
        *(f"{k}={v}" for k, v in PROCESS_COUNTS.items()),
    ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    say(f"wrote {path} (mode 0600, new keys)")


def check_env_file() -> None:
    """The run directory's renda.env was written for one database, Redis database and site
    port: refuse to start it with others (the topology would talk to another one's data)."""
    values = read_env(env_file())
    expected = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{SITE_PORT},https://localhost:{SITE_PORT}",
    }
    wrong = [key for key, value in expected.items() if values.get(key) != value]
    if wrong:
        raise SystemExit(
            f"{env_file()} was written for another topology ({', '.join(wrong)} differ): "
            "set RENDA_PROD_DIR to a run directory of its own"
        )


def read_env(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def app_env() -> dict[str, str]:
    """This shell's environment without anything that would point the site elsewhere, then the
    environment file."""
    dropped = {"DJANGO_SETTINGS_MODULE", "DEBUG", "PYTHONPATH"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("PYTEST")}
    env.update(read_env(env_file()))
    return env


def ensure_certificate() -> None:
    tls = RUN / "tls"
    if (tls / "fullchain.pem").exists():
        return
    tls.mkdir(parents=True, exist_ok=True)
    result = run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825",
            "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem"),
        ]
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"openssl failed: {result.stderr}")
    os.chmod(tls / "privkey.pem", 0o600)
    say(f"self-signed certificate for 127.0.0.1 in {tls}")


# -- the pid list ----------------------------------------------------------------------------
def start_time(pid: int) -> str:
    """Field 22 of /proc/<pid>/stat (clock ticks since boot): with the pid, it names a process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def recorded() -> dict[str, tuple[int, str]]:
    path = RUN / "pids"
    found: dict[str, tuple[int, str]] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, pid, started = line.split()
            found[name] = (int(pid), started)
    return found


def record(name: str, pid: int) -> None:
    entries = recorded()
    entries[name] = (pid, start_time(pid))
    write_pids(entries)


def write_pids(entries: dict[str, tuple[int, str]]) -> None:
    path = RUN / "pids"
    if not entries:
        path.unlink(missing_ok=True)
        return
    path.write_text("".join(f"{n} {p} {s}\n" for n, (p, s) in entries.items()))


def alive(entry: tuple[int, str] | None) -> bool:
    if entry is None:
        return False
    pid, started = entry
    current = start_time(pid)
    if not current or current != started:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


# -- services we may have to start -----------------------------------------------------------
def postgres_answers() -> bool:
    return run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0


def ensure_postgres() -> None:
    if postgres_answers():
        return
    clusters = sorted(p.name for p in Path("/etc/postgresql").iterdir())
    if not clusters:
        raise SystemExit("PostgreSQL does not answer and no cluster is installed")
    version = clusters[-1]
    result = run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
    if result.returncode:
        raise SystemExit(f"could not start PostgreSQL {version}: {result.stderr}")
    for _ in range(30):
        if postgres_answers():
            break
        time.sleep(1)
    else:
        raise SystemExit("PostgreSQL did not answer within 30 s")
    pid_file = Path(f"/var/run/postgresql/{version}-main.pid")
    pid = int(pid_file.read_text().split()[0])
    record("postgresql", pid)
    say(f"started PostgreSQL {version} (pid {pid})")


def redis_answers() -> bool:
    return run(["redis-cli", "-h", "127.0.0.1", "ping"]).stdout.strip() == "PONG"


def ensure_redis() -> None:
    if redis_answers():
        return
    pid_file = RUN / "redis.pid"
    result = run(
        [
            "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
            "--save", "", "--appendonly", "no", "--pidfile", str(pid_file),
            "--logfile", str(RUN / "logs" / "redis.log"),
        ]
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"could not start Redis: {result.stderr}")
    for _ in range(50):
        if redis_answers() and pid_file.exists():
            break
        time.sleep(0.2)
    pid = int(pid_file.read_text().strip())
    record("redis", pid)
    say(f"started Redis (pid {pid})")


def prepare_database(env: dict[str, str]) -> None:
    names = run([*PG_ADMIN, "-c", "SELECT datname FROM pg_database"]).stdout.split()
    if DATABASE not in names:
        created = run([*PG_ADMIN, "-c", f"CREATE DATABASE {DATABASE}"])
        if created.returncode:
            raise SystemExit(f"could not create {DATABASE}: {created.stderr}")
        say(f"created database {DATABASE}")
    for step in (
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["check", "--deploy", "--fail-level", "WARNING"],
    ):
        result = run([str(PYTHON), "manage.py", *step], cwd=ROOT, env=env)
        if result.returncode:
            raise SystemExit(f"manage.py {' '.join(step)} failed:\n{result.stdout}{result.stderr}")
    say(f"{DATABASE} migrated, static files collected, check --deploy passed")


# -- the units' command lines ----------------------------------------------------------------
def unit_command(unit: str, env: dict[str, str], instance: str = "") -> list[str]:
    """ExecStart of a deploy/ systemd unit, as systemd would run it here: Environment=
    defaults, then the environment file; %i is the instance; /opt/renda is this checkout."""
    text = (DEPLOY / unit).read_text(encoding="utf-8").replace("\\\n", " ")
    defaults = dict(re.findall(r"^Environment=(\w+)=(.*)$", text, re.M))
    values = {**defaults, **{k: v for k, v in env.items() if k in defaults}}
    line = re.search(r"^ExecStart=(.*)$", text, re.M)
    if line is None:
        raise SystemExit(f"no ExecStart in deploy/{unit}")
    command = line.group(1).replace("/opt/renda", str(ROOT)).replace("%i", instance)
    words = []
    for word in shlex.split(command):
        # ${NAME} expands inside a word; a bare $NAME is split into words (systemd.service(5)).
        word = re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), ""), word)
        if word.startswith("$") and word[1:] in values:
            words += values[word[1:]].split()
        else:
            words.append(word)
    return words


def spawn(name: str, args: list[str], env: dict[str, str]) -> int:
    log = RUN / "logs" / f"{name}.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(  # noqa: S603
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives this script; stopped by prod-down
        )
    record(name, proc.pid)
    say(f"started {name} (pid {proc.pid}), log {log}")
    return proc.pid


def app_answers(port: int) -> bool:
    # What nginx sends: without X-Forwarded-Proto the production settings redirect to HTTPS.
    # A worker's first request loads the URLconf: seconds on a busy machine.
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{HEALTH}", headers={"X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def site_answers() -> bool:
    context = ssl.create_default_context(cafile=str(RUN / "tls" / "fullchain.pem"))
    try:
        with urllib.request.urlopen(SITE + HEALTH, timeout=15, context=context) as response:  # noqa: S310
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def wait_for(check: object, what: str, name: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if not alive(recorded().get(name)):
            tail = (RUN / "logs" / f"{name}.log").read_text(errors="replace")[-3000:]
            raise SystemExit(f"{name} exited:\n{tail}")
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not answer within {timeout:.0f} s")
        time.sleep(0.3)


# -- nginx -----------------------------------------------------------------------------------
def nginx_config() -> str:
    site = (DEPLOY / "nginx-renda.conf").read_text(encoding="utf-8")
    logs = RUN / "logs"
    substitutions = [
        (r"server 127\.0\.0\.1:8001 ", f"server 127.0.0.1:{APP_PORTS[0]} "),
        (r"server 127\.0\.0\.1:8002 ", f"server 127.0.0.1:{APP_PORTS[1]} "),
        (r"^\s*listen \[::\]:\d+.*\n", ""),
        (r"listen 80;", f"listen 127.0.0.1:{REDIRECT_PORT};"),
        (r"return 301 https://\$host\$request_uri;", f"return 301 https://$host:{SITE_PORT}$request_uri;"),
        (r"listen 443 ssl", f"listen 127.0.0.1:{SITE_PORT} ssl"),
        (r"server_name rd\.example\.gov\.cn;", "server_name 127.0.0.1 localhost;"),
        (r"/etc/ssl/renda/", f"{RUN}/tls/"),
        (r"/var/log/nginx/renda\.", f"{logs}/nginx-renda."),
        (r"alias /var/lib/renda/static/;", f"alias {RUN}/static/;"),
    ]  # fmt: skip
    for pattern, replacement in substitutions:
        site, count = re.subn(pattern, replacement, site, flags=re.M)
        if not count:
            raise SystemExit(f"deploy/nginx-renda.conf: nothing matches {pattern!r}")
    temp = RUN / "nginx" / "temp"
    # A master started as root would hand the workers to "nobody"; keep them this user's.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    return (
        "# Generated by deploy/local/prod.py from deploy/nginx-renda.conf. Do not edit.\n"
        f"{user}daemon on;\nworker_processes 1;\n"
        f"pid {RUN}/nginx/nginx.pid;\nerror_log {logs}/nginx-error.log;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        "    sendfile on;\n"
        f"    access_log {logs}/nginx-access.log;\n"
        + "".join(
            f"    {kind}_temp_path {temp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + site
        + "}\n"
    )


def start_nginx() -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is not installed: apt-get install -y nginx (make browser does it)")
    conf = RUN / "nginx" / "nginx.conf"
    (RUN / "nginx" / "temp").mkdir(parents=True, exist_ok=True)
    conf.write_text(nginx_config(), encoding="utf-8")
    prefix = [
        "-p",
        str(RUN / "nginx"),
        "-c",
        str(conf),
        "-e",
        str(RUN / "logs" / "nginx-error.log"),
    ]
    for args in (["-t", "-q"], []):
        result = run([nginx, *prefix, *args])
        if result.returncode:
            raise SystemExit(f"nginx {' '.join(args)} failed: {result.stderr}")
    pid_file = RUN / "nginx" / "nginx.pid"
    for _ in range(50):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        time.sleep(0.1)
    pid = int(pid_file.read_text().strip())
    record("nginx", pid)
    say(f"started nginx (pid {pid}) on {SITE} (and http://127.0.0.1:{REDIRECT_PORT} → HTTPS)")


# -- the commands ----------------------------------------------------------------------------
def components() -> list[str]:
    return [f"gunicorn-{p}" for p in APP_PORTS] + ["huey-1", "huey-2", "nginx"]


def up() -> int:
    for sub in ("logs", "media", "static", "nginx"):
        (RUN / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(RUN, 0o700)
    entries = recorded()
    if all(alive(entries.get(name)) for name in components()):
        say(f"already running: {SITE} (make prod-status)")
        return 0
    write_env_file()
    check_env_file()
    ensure_certificate()
    ensure_postgres()
    ensure_redis()
    env = app_env()
    prepare_database(env)
    for port in APP_PORTS:
        name = f"gunicorn-{port}"
        if not alive(recorded().get(name)):
            spawn(name, unit_command("renda-gunicorn@.service", env, str(port)), env)
    for port in APP_PORTS:
        wait_for(lambda port=port: app_answers(port), f"gunicorn on {port}", f"gunicorn-{port}")
    for number, extra in ((1, ""), (2, "--no-periodic")):  # the scheduler in exactly one
        name = f"huey-{number}"
        if not alive(recorded().get(name)):
            spawn(name, unit_command("renda-huey.service", {**env, "HUEY_EXTRA_ARGS": extra}), env)
    if not alive(recorded().get("nginx")):
        start_nginx()
    wait_for(site_answers, SITE, "nginx")
    say(f"up: {SITE}/ (certificate {RUN / 'tls' / 'fullchain.pem'}); stop with make prod-down")
    return 0


def stop(name: str, entry: tuple[int, str]) -> None:
    pid = entry[0]
    if not alive(entry):
        say(f"{name} (pid {pid}) was not running")
        return
    # PostgreSQL: SIGINT is its fast shutdown; the others stop on SIGTERM (nginx: fast,
    # gunicorn and Huey: graceful, as the units do it).
    os.kill(pid, signal.SIGINT if name == "postgresql" else signal.SIGTERM)
    deadline = time.monotonic() + 60
    while alive(entry) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.2)
    if alive(entry):
        os.kill(pid, signal.SIGKILL)
        say(f"{name} (pid {pid}) killed after 60 s")
    else:
        say(f"stopped {name} (pid {pid})")


def down() -> int:
    entries = recorded()
    if not entries:
        say("nothing recorded in var/prod/pids: nothing to stop")
        return 0
    order = ["nginx", *components()[:-1], "redis", "postgresql"]
    for name in sorted(entries, key=lambda n: order.index(n) if n in order else len(order)):
        stop(name, entries[name])
        del entries[name]
        write_pids(entries)
    return 0


def status() -> int:
    entries = recorded()
    for name in [*components(), "redis", "postgresql"]:
        entry = entries.get(name)
        if entry is None:
            if name not in {"redis", "postgresql"}:
                say(f"{name}: not started")
            continue
        say(f"{name}: pid {entry[0]} {'running' if alive(entry) else 'NOT running'}")
    say(f"PostgreSQL {'answers' if postgres_answers() else 'does NOT answer'}")
    say(f"Redis {'answers' if redis_answers() else 'does NOT answer'}")
    for port in APP_PORTS:
        say(f"gunicorn :{port} {'answers' if app_answers(port) else 'does NOT answer'}")
    up_now = (RUN / "tls" / "fullchain.pem").exists() and site_answers()
    say(f"{SITE}{HEALTH} {'answers' if up_now else 'does NOT answer'}")
    return 0 if up_now and all(alive(entries.get(n)) for n in components()) else 1


def main(argv: list[str]) -> int:
    commands = {"up": up, "down": down, "status": status}
    if len(argv) != 1 or argv[0] not in commands:
        sys.stderr.write("usage: deploy/local/prod.py up|down|status\n")
        return 2
    return commands[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
