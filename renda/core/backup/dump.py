"""`manage.py backup DIR`: one directory per backup, `DIR/renda-YYYYMMDDTHHMMSS/`, holding

- `database.dump` (`pg_dump -Fc`) — or `database.sqlite3` on SQLite, copied with SQLite's
  backup API;
- `media.tar.gz` — everything under MEDIA_ROOT;
- `audit-checkpoints.jsonl` — a copy of the anchor file of the audit chain, when configured;
- `manifest.json` — time, versions, applied migrations per app, row counts of every table,
  the audit checkpoint (newest row's id and chain value, row count including the archive,
  first row's chain value) and the SHA-256 of each part; signed with the audit key.

A directory rather than one tar: the parts are checked one by one, the dump stays a plain
`pg_dump` file any operator can use, and copying off-site (rsync) sends only what changed.
The directory is written as `…​.partial` and renamed when complete, so a crashed backup is
never taken for one.

On PostgreSQL the manifest's counts and checkpoint and the dump come from one snapshot: a
REPEATABLE READ transaction exports it and `pg_dump --snapshot` reads the same one, so the
checkpoint is exactly the dump's newest audit row even while the site keeps writing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from renda.core import anchors
from renda.core.models import AuditArchivedEvent, AuditEvent
from renda.lib.crypto import hmac_sm3

FORMAT = "renda-backup/1"
PREFIX = "renda-"
STAMP = "%Y%m%dT%H%M%S"
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media.tar.gz"
ANCHORS = "audit-checkpoints.jsonl"


class BackupError(Exception):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sign_manifest(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "sig"}
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac_sm3(settings.AUDIT_HMAC_KEY, b"backup-manifest:" + payload.encode()).hex()


def pg_env() -> dict[str, str]:
    """libpq's environment for the default database (pg_dump, pg_restore)."""
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def tool(name: str) -> str:
    """The full path of a PostgreSQL client tool (or git), or BackupError."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（postgresql-client-15）")
    return path


def run(args: list[str], *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # Our own argument lists (tool paths from shutil.which), never a shell.
    return subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603


def tool_version(name: str) -> str:
    try:
        out = run([tool(name), "--version"])
    except (OSError, BackupError):
        return ""
    return out.stdout.strip()


def _code_version() -> str:
    try:
        out = run([tool("git"), "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"])
    except (OSError, BackupError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def migration_state() -> dict[str, list[str]]:
    state: dict[str, list[str]] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("app", "id").values_list(
        "app", "name"
    ):
        state.setdefault(app, []).append(name)
    return state


def row_counts() -> dict[str, int]:
    """Rows of every table the project's models own (managed, concrete)."""
    counts: dict[str, int] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped:
            counts[meta.label_lower] = model._default_manager.using("default").count()
    return dict(sorted(counts.items()))


def audit_checkpoint() -> dict[str, Any]:
    """The audit chain as it stands: what a restore must end on."""
    newest = AuditEvent.objects.order_by("-id").values_list("id", "chain").first()
    if newest is None:
        newest = AuditArchivedEvent.objects.order_by("-id").values_list("id", "chain").first()
    archived = AuditArchivedEvent.objects.count()
    return {
        "last_id": newest[0] if newest else None,
        "chain": newest[1] if newest else "",
        "count": AuditEvent.objects.count() + archived,
        "archived": archived,
        "first": anchors.first_chain() or "",
    }


def _database_facts() -> dict[str, Any]:
    return {
        "migrations": migration_state(),
        "row_counts": row_counts(),
        "audit": audit_checkpoint(),
    }


def _dump_postgresql(out: Path) -> dict[str, Any]:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server = cursor.fetchone()
        facts = _database_facts()
        result = run(
            [tool("pg_dump"), "-Fc", "--no-password", f"--snapshot={snapshot}", "-f", str(out)],
            env=pg_env(),
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
    facts["versions"] = {"postgresql": server, "pg_dump": tool_version("pg_dump")}
    return facts


def _dump_sqlite(out: Path) -> dict[str, Any]:
    # IMMEDIATE transactions (settings) hold the write lock, so nothing changes between the
    # facts and the copy.
    with transaction.atomic():
        facts = _database_facts()
        connection.ensure_connection()
        target = sqlite3.connect(out)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    facts["versions"] = {"sqlite": sqlite3.sqlite_version}
    return facts


def _tar_media(out: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    files = 0
    with tarfile.open(out, "w:gz") as tar:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
                    files += 1
    return files


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def create_backup(target: Path) -> BackupResult:
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"不支持的数据库：{vendor}（只支持 PostgreSQL 和 SQLite）")
    if vendor == "sqlite" and str(settings.DATABASES["default"]["NAME"]) in ("", ":memory:"):
        raise BackupError("内存中的 SQLite 数据库不能备份")
    started = timezone.now()
    name = PREFIX + timezone.localtime(started).strftime(STAMP)
    final = target / name
    if final.exists():
        raise BackupError(f"{final} 已存在：同一秒内不能做两次备份")
    partial = target / (name + ".partial")
    partial.mkdir(parents=True)
    try:
        if vendor == "postgresql":
            db_part = PG_DUMP
            facts = _dump_postgresql(partial / db_part)
        else:
            db_part = SQLITE_COPY
            facts = _dump_sqlite(partial / db_part)
        media_files = _tar_media(partial / MEDIA)
        parts = [db_part, MEDIA]
        anchor_path = anchors.checkpoint_path()
        if anchor_path is not None and anchor_path.exists():
            shutil.copyfile(anchor_path, partial / ANCHORS)
            parts.append(ANCHORS)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": started.isoformat(timespec="seconds"),
            "host": socket.gethostname(),
            "database": {"vendor": vendor, "name": str(settings.DATABASES["default"]["NAME"])},
            "versions": {
                "renda": _code_version(),
                "python": platform.python_version(),
                "django": django.get_version(),
                **facts.pop("versions"),
            },
            **facts,
            "media_files": media_files,
            "parts": {
                part: {
                    "sha256": sha256_of(partial / part),
                    "bytes": (partial / part).stat().st_size,
                }
                for part in parts
            },
        }
        manifest["sig"] = sign_manifest(manifest)
        (partial / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return BackupResult(final, manifest)


# --- retention -------------------------------------------------------------------------


def backups_in(target: Path) -> list[tuple[dt.datetime, Path]]:
    """The complete backups in a directory, oldest first (by the time in their name)."""
    found: list[tuple[dt.datetime, Path]] = []
    if not target.is_dir():
        return found
    for path in target.iterdir():
        if not path.is_dir() or not path.name.startswith(PREFIX):
            continue
        try:
            naive = dt.datetime.strptime(path.name[len(PREFIX) :], STAMP)  # noqa: DTZ007
            stamp = timezone.make_aware(naive)  # the name is local time (create_backup)
        except ValueError:
            continue
        if (path / MANIFEST).is_file():
            found.append((stamp, path))
    return sorted(found)


def to_keep(
    backups: list[tuple[dt.datetime, Path]], *, today: dt.date, daily: int, monthly: int
) -> set[Path]:
    """Retention: the newest backup of each of the last `daily` days (today included), and
    the newest backup of each of the last `monthly` calendar months (this month included).
    The newest backup of all is always kept."""
    keep: set[Path] = set()
    newest_of_day: dict[dt.date, Path] = {}
    newest_of_month: dict[tuple[int, int], Path] = {}
    for stamp, path in backups:  # oldest first: later ones overwrite
        newest_of_day[stamp.date()] = path
        newest_of_month[(stamp.year, stamp.month)] = path
    first_day = today - dt.timedelta(days=daily - 1)
    for day, path in newest_of_day.items():
        if daily > 0 and first_day <= day <= today:
            keep.add(path)
    month_index = today.year * 12 + today.month - 1
    for (year, month), path in newest_of_month.items():
        if monthly > 0 and 0 <= month_index - (year * 12 + month - 1) < monthly:
            keep.add(path)
    if backups:
        keep.add(backups[-1][1])
    return keep


def prune(target: Path, *, daily: int, monthly: int) -> list[Path]:
    backups = backups_in(target)
    keep = to_keep(backups, today=timezone.localdate(), daily=daily, monthly=monthly)
    removed = [path for _, path in backups if path not in keep]
    for path in removed:
        shutil.rmtree(path)
    return removed
