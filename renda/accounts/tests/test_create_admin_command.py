"""No default administrator: `manage.py create_admin` is the only way to make one, and the
database refuses a Django superuser."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from renda.accounts.models import User
from renda.core.models import AuditEvent
from renda.core.roles import Role

STRONG = "Guanli-Yuan-2026!"


def run(*args: str, **options: Any) -> str:
    out = StringIO()
    call_command("create_admin", *args, stdout=out, **options)
    return out.getvalue()


def test_a_fresh_database_has_no_account(db: Any) -> None:
    assert not User.objects.exists()


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_it_creates_each_administrator_from_a_password_file(
    db: Any, tmp_path: Path, role: str
) -> None:
    secret = tmp_path / "pw.txt"
    secret.write_text(STRONG + "\n", encoding="utf-8")
    out = run(
        "--role", role, "--username", "guanli", "--name", "王管理", "--password-file", str(secret)
    )
    user = User.objects.get(username="guanli")
    assert user.role == role and user.name == "王管理" and user.check_password(STRONG)
    assert user.must_change_password and not user.is_superuser and not user.is_staff
    assert f"已创建{Role(role).label} guanli" in out
    event = AuditEvent.objects.get(action="user.create")
    assert event.actor is None and event.details == {"role": role}


def test_it_reads_the_password_from_the_environment(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RENDA_ADMIN_PASSWORD", STRONG)
    run("--role", "audit_admin", "--username", "shenji", "--name", "赵审计")
    assert User.objects.get(username="shenji").check_password(STRONG)


def test_it_prompts_twice_for_the_password(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RENDA_ADMIN_PASSWORD", raising=False)
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    run("--role", "security_admin", "--username", "anquan", "--name", "李安全")
    assert User.objects.get(username="anquan").check_password(STRONG)


def test_two_different_entries_create_nothing(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RENDA_ADMIN_PASSWORD", raising=False)
    answers = iter([STRONG, STRONG + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="两次输入的口令不一致"):
        run("--role", "security_admin", "--username", "anquan", "--name", "李安全")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [("Ab1!", "密码至少需要 8 个字符"), ("guanliyuanmima", "至少 3 类")],
)
def test_a_weak_password_creates_nothing(
    db: Any, monkeypatch: pytest.MonkeyPatch, password: str, message: str
) -> None:
    monkeypatch.setenv("RENDA_ADMIN_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        run("--role", "system_admin", "--username", "xitong", "--name", "张系统")
    assert not User.objects.exists() and not AuditEvent.objects.exists()


def test_it_only_creates_administrators(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENDA_ADMIN_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="invalid choice"):
        run("--role", "staff", "--username", "gongzuo", "--name", "工作人员")
    assert not User.objects.exists()


def test_it_refuses_an_existing_username(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENDA_ADMIN_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="账号 deputy 已存在"):
        run("--role", "system_admin", "--username", "deputy", "--name", "冒名")
    assert User.objects.get(username="deputy").role == Role.DEPUTY


def test_the_database_refuses_a_superuser(world: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world.system_admin.pk).update(is_superuser=True)


def test_djangos_createsuperuser_cannot_make_one(db: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        call_command(
            "createsuperuser",
            interactive=False,
            username="root",
            email="root@example.org",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert not User.objects.exists()
