"""`manage.py restore BACKUP_DIR`: put a backup made by `manage.py backup` (core/backup/dump.py)
back, into an EMPTY database only, then prove what came back.

In order: the manifest's signature (audit key) and every part's size and SHA-256; the target
database has no tables and MEDIA_ROOT no files (there is no --force: restoring over live data
is how data is lost — drop and create the database first); `pg_restore` in one transaction (or
the SQLite copy); the uploaded files; the anchor file, if this machine has none yet. Then the
checks: the audit chain verifies and ends exactly on the manifest's checkpoint, the migrations
and every table's row count match the manifest, and every sealed ballot box verifies
(`manage.py verify_ballots`, when the livelihood app is installed). Any mismatch is reported
and fails the command.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from renda.core import anchors, audit
from renda.core.models import AuditArchivedEvent, AuditEvent
from renda.lib.crypto import constant_time_equal

from . import dump


class RestoreError(Exception):
    """The backup or the target was refused before anything was written."""


@dataclass
class RestoreReport:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def good(self, line: str) -> None:
        self.lines.append(line)

    def bad(self, line: str) -> None:
        self.problems.append(line)
        self.lines.append("✗ " + line)


def read_manifest(backup: Path) -> dict[str, Any]:
    path = backup / dump.MANIFEST
    if not path.is_file():
        raise RestoreError(f"{backup} 不是备份目录：没有 {dump.MANIFEST}")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise RestoreError(f"{dump.MANIFEST} 无法读取：{error}") from error
    if manifest.get("format") != dump.FORMAT:
        raise RestoreError(f"不认识的备份格式：{manifest.get('format')!r}")
    if not constant_time_equal(str(manifest.get("sig", "")), dump.sign_manifest(manifest)):
        raise RestoreError(
            "备份清单的签名不符：清单被改动，或本机的 AUDIT_HMAC_KEY 与备份时不同"
            "（密钥不同，审计日志链也无法校验）"
        )
    return manifest


def check_parts(backup: Path, manifest: dict[str, Any]) -> None:
    for part, expected in manifest["parts"].items():
        path = backup / part
        if not path.is_file():
            raise RestoreError(f"备份缺少 {part}")
        if path.stat().st_size != expected["bytes"] or dump.sha256_of(path) != expected["sha256"]:
            raise RestoreError(f"{part} 的 SHA-256 与备份清单不符：文件损坏或被改动，不恢复")


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return list(connection.introspection.table_names(cursor))


def check_empty_target(manifest: dict[str, Any]) -> None:
    vendor = manifest["database"]["vendor"]
    if connection.vendor != vendor:
        raise RestoreError(f"备份来自 {vendor}，当前数据库是 {connection.vendor}")
    tables = _tables()
    if tables:
        raise RestoreError(
            f"目标数据库不是空的（已有 {len(tables)} 张表，如 {', '.join(sorted(tables)[:3])}）："
            "只能恢复到新建的空数据库，不覆盖现有数据"
        )
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        raise RestoreError(f"MEDIA_ROOT（{media}）不是空的：只能把上传文件恢复到空目录")


def _restore_postgresql(dump_file: Path) -> None:
    # --no-owner / --no-privileges: the roles of the restoring machine may differ; grants are
    # applied again as in docs/deploy.md §2. One transaction: a failure leaves the DB empty.
    result = dump.run(
        [
            dump.tool("pg_restore"),
            "--no-password",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            str(settings.DATABASES["default"]["NAME"]),
            str(dump_file),
        ],
        env=dump.pg_env(),
    )
    if result.returncode != 0:
        raise CommandError(f"pg_restore 失败（数据库保持为空）：{result.stderr.strip()}")


def _restore_sqlite(copy: Path) -> None:
    target = Path(str(settings.DATABASES["default"]["NAME"]))
    connection.close()
    shutil.copyfile(copy, target)


def _unpack_media(archive: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        # The "data" filter refuses absolute paths, "..", links out of the tree and devices.
        tar.extractall(root, filter="data")
    return sum(1 for m in members if m.isfile())


def _install_anchors(backup: Path, manifest: dict[str, Any], report: RestoreReport) -> None:
    path = anchors.checkpoint_path()
    if dump.ANCHORS not in manifest["parts"] or path is None:
        return
    if path.exists():
        report.good(f"本机已有审计检查点文件 {path}，保留不动（按它校验到备份的检查点为止）")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(backup / dump.ANCHORS, path)
    report.good(f"审计检查点文件已从备份装到 {path}")


def check_audit(manifest: dict[str, Any], report: RestoreReport) -> None:
    expected = manifest["audit"]
    got = dump.audit_checkpoint()
    last_id = expected["last_id"]
    if last_id is None:
        if got["count"]:
            report.bad(f"备份时审计日志为空，恢复后却有 {got['count']} 条")
        else:
            report.good("审计日志：备份时为空")
        return
    row = (
        AuditEvent.objects.filter(pk=last_id).values_list("chain", flat=True).first()
        or AuditArchivedEvent.objects.filter(pk=last_id).values_list("chain", flat=True).first()
    )
    if row != expected["chain"] or got["last_id"] != last_id or got["count"] != expected["count"]:
        report.bad(
            f"审计日志与备份的检查点不符：应以第 {last_id} 号（链值 {expected['chain'][:16]}…）"
            f"结束、共 {expected['count']} 条；恢复后为第 {got['last_id']} 号、{got['count']} 条"
        )
        return
    chain = audit.verify_chain(until_id=last_id)
    if not chain.ok:
        report.bad(
            f"审计日志链断裂：第 {chain.broken_id} 号记录校验失败（{chain.reason}）；"
            f"此前 {chain.checked} 条完好"
        )
        return
    report.good(
        f"审计日志链完整：已校验 {chain.checked} 条（其中已归档 {got['archived']} 条），"
        f"止于备份的检查点：第 {last_id} 号，链值 {expected['chain']}"
    )
    later = [cp for cp in anchors.checkpoints_of_this_log().values() if cp.last_id > last_id]
    if later:
        report.good(
            f"注意：本机检查点文件中有 {len(later)} 个检查点晚于这份备份（最晚记到第 "
            f"{max(cp.last_id for cp in later)} 号），这些记录随恢复旧备份而丢失；"
            "请把该文件改名留存，另建新文件（docs/deploy.md §8）"
        )


def check_tables(manifest: dict[str, Any], report: RestoreReport) -> None:
    if dump.migration_state() != manifest["migrations"]:
        report.bad("恢复后的迁移记录与备份清单不符")
    got = dump.row_counts()
    differ = [
        f"{label}: 应为 {count}，实为 {got.get(label)}"
        for label, count in manifest["row_counts"].items()
        if got.get(label) != count
    ]
    if differ:
        report.bad("行数与备份清单不符：" + "；".join(differ[:10]))
    else:
        total = sum(manifest["row_counts"].values())
        report.good(f"各表行数与备份清单一致：{len(manifest['row_counts'])} 张表，共 {total} 行")


def check_ballots(report: RestoreReport) -> None:
    """Every ballot box whose voting has ended is recomputed by the livelihood app's own
    command (found by name: core knows nothing of that app's code)."""
    if not apps.is_installed("renda.livelihood"):
        return
    round_model = apps.get_model("livelihood", "Round")
    votes = sorted(
        set(
            round_model.objects.filter(state__in=["closed", "counted"]).values_list(
                "vote_id", flat=True
            )
        )
    )
    for vote in votes:
        out = io.StringIO()
        try:
            call_command("verify_ballots", str(vote), stdout=out)
        except CommandError as error:
            report.bad(f"票决 {vote} 的票箱核验未通过：{error}；{out.getvalue().strip()}")
        else:
            report.good(
                f"票决 {vote} 的票箱核验通过：" + "；".join(out.getvalue().split("\n")[:-1])
            )
    if not votes:
        report.good("没有已结束投票的票决，无票箱需核验")


def restore(backup: Path) -> RestoreReport:
    manifest = read_manifest(backup)
    check_parts(backup, manifest)
    check_empty_target(manifest)
    report = RestoreReport()
    report.good(
        f"备份清单签名和 {len(manifest['parts'])} 个文件的 SHA-256 核对无误"
        f"（{manifest['created_at']}，{manifest['host']}）"
    )
    if manifest["database"]["vendor"] == "postgresql":
        _restore_postgresql(backup / dump.PG_DUMP)
    else:
        _restore_sqlite(backup / dump.SQLITE_COPY)
    report.good("数据库已恢复")
    files = _unpack_media(backup / dump.MEDIA)
    report.good(f"上传文件已恢复：{files} 个")
    if files != manifest["media_files"]:
        report.bad(f"上传文件数与备份清单不符：应为 {manifest['media_files']}，实为 {files}")
    _install_anchors(backup, manifest, report)
    check_audit(manifest, report)
    check_tables(manifest, report)
    check_ballots(report)
    if report.ok:
        audit.record(
            actor=None,
            action="backup.restore",
            username="manage.py restore",
            details={
                "backup": backup.name,
                "created_at": manifest["created_at"],
                "audit_last_id": manifest["audit"]["last_id"],
            },
        )
    return report
