"""Backup, restore and audit archiving (issue 18 item 5; core/backup/).

The archiving tests run in the test database (SQLite or PostgreSQL). The round trip runs the
real commands as separate processes against two databases of its own on the local
PostgreSQL server (`renda_bk_<random>`): one migrated and filled through the services, backed
up, then restored into a second, empty one. Those tests skip, saying why, when no PostgreSQL
server answers (CI has one).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from renda.core import anchors, audit
from renda.core.backup import archive, dump
from renda.core.models import AuditArchiveCut, AuditArchivedEvent, AuditEvent

ARCHIVE_TABLE = AuditArchivedEvent._meta.db_table


def _old_events(days_ago: int, n: int) -> list[AuditEvent]:
    with time_machine.travel(timezone.now() - dt.timedelta(days=days_ago), tick=False):
        return [audit.record(actor=None, action=f"test.old{days_ago}.{i}") for i in range(n)]


def _tamper_archive(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {ARCHIVE_TABLE} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {ARCHIVE_TABLE} ENABLE TRIGGER USER")


@pytest.fixture
def checkpoint_file(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "audit" / "checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_PATH = str(path)
    return path


# --- archiving ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_archiving_refuses_a_date_inside_the_retention_period() -> None:
    _old_events(400, 2)
    too_recent = timezone.localdate() - dt.timedelta(days=179)
    with pytest.raises(archive.ArchiveError, match="至少在线保留 180 天"):
        archive.archive_audit(actor=None, before=too_recent)
    assert AuditArchivedEvent.objects.count() == 0
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db
def test_archiving_moves_old_rows_and_every_part_of_the_chain_still_verifies(
    checkpoint_file: Path,
) -> None:
    old = _old_events(400, 3)
    anchors.take_checkpoint()  # an anchor naming a row that will move to the archive
    middle = _old_events(250, 2)
    recent = [audit.record(actor=None, action=f"test.new.{i}") for i in range(2)]
    anchors.take_checkpoint()  # and one naming a row that stays live

    result = archive.archive_audit(actor=None, before=timezone.localdate() - dt.timedelta(days=300))

    assert result.cut is not None
    assert list(AuditArchivedEvent.objects.values_list("id", flat=True)) == [e.pk for e in old]
    live = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    assert live[: len(middle) + len(recent)] == [e.pk for e in middle + recent]
    assert AuditEvent.objects.filter(action="audit.archive").count() == 1  # the move is audited
    assert (result.cut.first_id, result.cut.last_id, result.cut.rows) == (old[0].pk, old[-1].pk, 3)
    assert result.cut.chain == old[-1].chain
    whole = audit.verify_chain()
    assert whole.ok, whole.reason
    assert whole.checked == 3 + 2 + 2 + 1
    assert audit.verify_chain(part="archive").ok
    live_only = audit.verify_chain(part="live")
    assert live_only.ok and live_only.checked == whole.checked  # counted on from the cut
    # A second run moves the next rows and links its cut to the first one.
    second = archive.archive_audit(actor=None, before=timezone.localdate() - dt.timedelta(days=200))
    assert second.cut is not None and second.cut.prev == result.cut.sig
    assert second.cut.total == 5
    assert audit.verify_chain().ok
    # New checkpoints count the archive too.
    cp = anchors.take_checkpoint()
    assert cp is not None and cp.count == AuditEvent.objects.count() + 5
    assert cp.first == old[0].chain
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_archiving_keeps_the_newest_row_live_and_says_when_nothing_is_old_enough() -> None:
    events = _old_events(400, 3)
    result = archive.archive_audit(actor=None, before=timezone.localdate() - dt.timedelta(days=200))
    assert result.cut is not None and result.cut.last_id == events[1].pk
    assert AuditEvent.objects.filter(pk=events[2].pk).exists()
    assert audit.verify_chain().ok
    nothing = archive.archive_audit(
        actor=None, before=timezone.localdate() - dt.timedelta(days=500)
    )
    assert nothing.cut is None and "没有" in nothing.message


@pytest.mark.django_db
def test_a_changed_archived_row_breaks_the_archive_and_the_whole_chain() -> None:
    events = _old_events(400, 3)
    audit.record(actor=None, action="test.new")
    archive.archive_audit(actor=None, before=timezone.localdate() - dt.timedelta(days=200))
    _tamper_archive(
        f"UPDATE {ARCHIVE_TABLE} SET target_repr = %s WHERE id = %s", ["改过", events[1].pk]
    )
    for part in ("archive", "all"):
        report = audit.verify_chain(part=part)
        assert report.broken_id == events[1].pk
    # The live part alone still verifies from the signed cut.
    assert audit.verify_chain(part="live").ok


@pytest.mark.django_db
def test_archived_rows_deleted_from_the_end_or_a_forged_cut_are_found() -> None:
    events = _old_events(400, 4)
    audit.record(actor=None, action="test.new")
    archive.archive_audit(actor=None, before=timezone.localdate() - dt.timedelta(days=200))
    _tamper_archive(f"DELETE FROM {ARCHIVE_TABLE} WHERE id = %s", [events[3].pk])
    report = audit.verify_chain(part="archive")
    assert not report.ok and "归档与第" in report.reason
    cut_table = AuditArchiveCut._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {cut_table} DISABLE TRIGGER USER")
        cursor.execute(f"UPDATE {cut_table} SET total = total - 1, chain = %s", [events[2].chain])
    report = audit.verify_chain()
    assert not report.ok and "签名不符" in report.reason


@pytest.mark.django_db
def test_archive_audit_command_checks_the_date_and_reports() -> None:
    _old_events(400, 2)
    audit.record(actor=None, action="test.new")
    with pytest.raises(CommandError, match="至少在线保留 180 天") as refused:
        call_command("archive_audit", "--before", timezone.localdate().isoformat())
    assert refused.value.returncode == 1
    out = StringIO()
    day = (timezone.localdate() - dt.timedelta(days=200)).isoformat()
    call_command("archive_audit", "--before", day, stdout=out)
    assert "已归档 2 条" in out.getvalue() and "链完整" in out.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
def test_postgresql_lets_a_live_row_go_only_once_it_is_in_the_archive() -> None:
    events = _old_events(400, 2)
    table = AuditEvent._meta.db_table
    with (
        pytest.raises(DatabaseError, match="只能追加"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [events[0].pk])
    # A copy with another chain value does not count as archived.
    with pytest.raises(DatabaseError, match="只能追加"), transaction.atomic():
        AuditArchivedEvent.objects.create(
            **{f: getattr(events[0], f) for f in archive.FIELDS if f != "chain"},
            chain="0" * 64,
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [events[0].pk])
    archive.archive_audit(actor=None, before=timezone.localdate() - dt.timedelta(days=200))
    with (
        pytest.raises(DatabaseError, match="归档只能追加"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {ARCHIVE_TABLE}")
    assert audit.verify_chain().ok


# --- retention ---------------------------------------------------------------------------


def test_retention_keeps_the_newest_of_each_recent_day_and_month(tmp_path: Path) -> None:
    def at(y: int, m: int, d: int, h: int = 2) -> tuple[dt.datetime, Path]:
        stamp = dt.datetime(y, m, d, h, tzinfo=dt.UTC)
        return stamp, tmp_path / f"{y}{m:02d}{d:02d}{h:02d}"

    backups = sorted(
        [at(2026, 12, 2), at(2026, 12, 2, 14), at(2026, 12, 1), at(2026, 11, 25)]
        + [at(2026, 11, 3), at(2026, 10, 31), at(2026, 10, 5), at(2026, 1, 15), at(2025, 12, 30)]
    )
    keep = dump.to_keep(backups, today=dt.date(2026, 12, 2), daily=3, monthly=12)
    names = sorted(p.name for p in keep)
    # By day: Dec 2 (the newest of that day), Dec 1. By month (this one and the 11 before):
    # the newest of Nov, Oct and Jan 2026. Dec 2025 is 12 months back: gone.
    assert names == sorted(["2026120214", "2026120102", "2026112502", "2026103102", "2026011502"])
    assert dump.to_keep(backups, today=dt.date(2030, 1, 1), daily=30, monthly=12) == {
        backups[-1][1]
    }  # the newest backup of all is always kept


# --- the round trip on PostgreSQL --------------------------------------------------------

PG_ADMIN = os.environ.get("BACKUP_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_unreachable() -> str:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        return "pg_dump/pg_restore are not installed"
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except psycopg.Error as error:
        return f"no PostgreSQL server at {PG_ADMIN}: {str(error).strip()[:120]}"
    return ""


PG_SKIP = _pg_unreachable()
needs_pg = pytest.mark.skipif(bool(PG_SKIP), reason=PG_SKIP or "PostgreSQL answers")

FILL = """
import datetime as dt
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from renda.core import audit
from renda.core.backup import archive
from renda.core.models import Organization, Region
from renda.deputies import services
from renda.deputies.models import Deputy

with time_machine.travel(timezone.now() - dt.timedelta(days=400), tick=False):
    for i in range(3):
        audit.record(actor=None, action=f"test.old.{i}")
audit.record(actor=None, action="test.recent")
archive.archive_audit(actor=None, before=timezone.localdate() - dt.timedelta(days=200))
county = Region.objects.create(code="431300", name="娄底市", level=Region.Level.PREFECTURE)
town = Region.objects.create(code="431302001", name="测试街道", level="subdistrict", parent=county)
congress = Organization.objects.create(
    name="娄底市人民代表大会", code="LD-RD", kind=Organization.Kind.CONGRESS, region=county
)
term = services.create_term(
    actor=None, congress=congress, level="city", number=18, start_date=dt.date(2021, 12, 28)
)
services.create_deputy(
    actor=None, term=term, name="张建国", party="中共党员", category=Deputy.Category.WORKER,
    region=town, id_number="431381197505010018", mobile="13912345678",
    employer="冷水江市锑业公司", occupation="工人", elected_on=dt.date(2021, 11, 20),
)
default_storage.save("deputies/photos/zhang.png", ContentFile(b"\\x89PNG\\r\\n\\x1a\\n" + bytes(range(256))))
default_storage.save("documents/报告.pdf", ContentFile(b"%PDF-1.7 test"))
# A sealed ballot box (livelihood), built as that app's own tests build one.
import renda.conftest
from renda.livelihood import services as votes
from renda.livelihood.tests.factories import cast_all, make_hall, marks
world = renda.conftest.world.__wrapped__(None)
hall = make_hall(world, deputies=4, seats=1, candidates=2)
votes.open_round(actor=world.staff, round_=hall.round)
cast_all(hall, [marks(hall, 0), marks(hall, 1), marks(hall, 0), {}])
votes.close_round(actor=world.staff, round_=hall.round)
from renda.core import anchors
anchors.take_checkpoint()
"""


@dataclass
class Site:
    """One database on the local server, with its own MEDIA_ROOT and anchor file."""

    name: str
    media: Path
    anchors: Path

    @property
    def url(self) -> str:
        return PG_ADMIN.rsplit("/", 1)[0] + "/" + self.name

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PG"))}
        env.update(
            DATABASE_URL=self.url,
            MEDIA_ROOT=str(self.media),
            AUDIT_CHECKPOINT_PATH=str(self.anchors),
        )
        return env

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=600,
        )

    def query(self, sql: str) -> Any:
        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute(sql).fetchone()
        return row[0] if row else None


def _admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module")
def pg_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if PG_SKIP:
        pytest.skip(PG_SKIP)
    root = tmp_path_factory.mktemp("backup")
    token = secrets.token_hex(4)
    sites = {
        role: Site(f"renda_bk_{token}_{role}", root / f"media_{role}", root / f"anchors_{role}")
        for role in ("source", "target", "spare")
    }
    for site in sites.values():
        _admin(f'CREATE DATABASE "{site.name}"')
    try:
        source = sites["source"]
        for step in (("migrate", "--noinput"), ("shell", "-c", FILL), ("backup", str(root / "bk"))):
            done = source.manage(*step)
            assert done.returncode == 0, done.stderr[-3000:]
        (backup,) = dump.backups_in(root / "bk")
        yield {**sites, "backup": backup[1], "root": root}
    finally:
        for site in sites.values():
            _admin(f'DROP DATABASE IF EXISTS "{site.name}" WITH (FORCE)')


def _copy(backup: Path, where: Path) -> Path:
    copy = where / backup.name
    shutil.copytree(backup, copy)
    return copy


@needs_pg
def test_backup_writes_a_signed_manifest_with_the_audit_checkpoint(
    pg_sites: dict[str, Any],
) -> None:
    backup: Path = pg_sites["backup"]
    source: Site = pg_sites["source"]
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["parts"]) == {"database.dump", "media.tar.gz", "audit-checkpoints.jsonl"}
    for part, facts in manifest["parts"].items():
        assert dump.sha256_of(backup / part) == facts["sha256"]
    assert manifest["media_files"] == 2
    assert manifest["row_counts"]["deputies.deputy"] == 1 + 4  # ours and the vote's
    assert manifest["row_counts"]["core.auditarchivedevent"] == 3
    assert manifest["migrations"]["core"][-1] == "0007_audit_archive"
    assert manifest["versions"]["postgresql"].startswith("15")
    # The checkpoint is the dump's newest row; `backup.create` was written after it.
    cp = manifest["audit"]
    newest_before_backup = source.query(
        "SELECT max(id) FROM core_auditevent WHERE action <> 'backup.create'"
    )
    assert cp["last_id"] == newest_before_backup
    assert cp["chain"] == source.query(
        f"SELECT chain FROM core_auditevent WHERE id = {cp['last_id']}"
    )
    assert cp["archived"] == 3
    assert source.query("SELECT count(*) FROM core_auditevent WHERE action = 'backup.create'") == 1


@needs_pg
def test_restore_into_an_empty_database_verifies_the_chain_rows_and_files(
    pg_sites: dict[str, Any],
) -> None:
    target: Site = pg_sites["target"]
    source: Site = pg_sites["source"]
    done = target.manage("restore", str(pg_sites["backup"]))
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "审计日志链完整" in out and "其中已归档 3 条" in out
    assert "各表行数与备份清单一致" in out
    assert "上传文件已恢复：2 个" in out
    assert "的票箱核验通过：第1轮：通过，4 张选票" in out  # verify_ballots ran on the sealed box
    assert "恢复完成，核对全部通过" in out
    assert target.query("SELECT name FROM deputies_deputy") == "张建国"
    for rel in ("deputies/photos/zhang.png", "documents/报告.pdf"):
        assert (target.media / rel).read_bytes() == (source.media / rel).read_bytes()
    # The anchor file came with the backup (this machine had none), and the restored site's
    # own verify_audit passes, with the restore itself now in the log.
    assert target.anchors.read_text() == source.anchors.read_text() or not source.anchors.exists()
    check = target.manage("verify_audit")
    assert check.returncode == 0, check.stderr
    assert target.query("SELECT count(*) FROM core_auditevent WHERE action = 'backup.restore'") == 1
    # The database triggers came back too.
    with pytest.raises(psycopg.errors.RaiseException):
        target.query("DELETE FROM core_auditarchivedevent RETURNING id")


@needs_pg
def test_restore_refuses_a_database_that_has_tables(pg_sites: dict[str, Any]) -> None:
    source: Site = pg_sites["source"]
    before = source.query("SELECT count(*) FROM core_auditevent")
    done = source.manage("restore", str(pg_sites["backup"]))
    assert done.returncode == 1
    assert "目标数据库不是空的" in done.stderr
    assert source.query("SELECT count(*) FROM core_auditevent") == before


@needs_pg
def test_restore_refuses_a_changed_part_and_writes_nothing(
    pg_sites: dict[str, Any], tmp_path: Path
) -> None:
    spare: Site = pg_sites["spare"]
    copy = _copy(pg_sites["backup"], tmp_path)
    with (copy / "media.tar.gz").open("r+b") as handle:
        handle.seek(40)
        byte = handle.read(1)
        handle.seek(40)
        handle.write(bytes([byte[0] ^ 0xFF]))
    done = spare.manage("restore", str(copy))
    assert done.returncode == 1
    assert "media.tar.gz 的 SHA-256 与备份清单不符" in done.stderr
    assert spare.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
    assert not spare.media.exists()


@needs_pg
def test_restore_refuses_an_edited_manifest(pg_sites: dict[str, Any], tmp_path: Path) -> None:
    spare: Site = pg_sites["spare"]
    copy = _copy(pg_sites["backup"], tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["audit"]["count"] -= 1
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    done = spare.manage("restore", str(copy))
    assert done.returncode == 1
    assert "备份清单的签名不符" in done.stderr
    assert spare.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
