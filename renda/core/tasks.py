"""Periodic jobs of `core`, run by the Huey consumer (`manage.py run_huey`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import anchors, audit
from .anchors import Checkpoint
from .audit import ChainReport
from .roles import Role


def check_audit_chain() -> ChainReport:
    """Verify the audit chain; on a break, tell every audit administrator at once (inbox and
    SMS) and leave a failure event in the log itself."""
    from .notifications import notify

    users = get_user_model()._default_manager
    recipients = list(users.filter(role=Role.AUDIT_ADMIN, is_active=True))
    report = audit.verify_chain()
    audit.record(
        actor=None,
        action="audit.verify_nightly",
        username="系统任务",
        outcome="success" if report.ok else "failure",
        details={"checked": report.checked, "broken_id": report.broken_id},
    )
    checkpoint = anchors.take_checkpoint() if report.ok else None
    _email_report(recipients, report, checkpoint)
    if not report.ok:
        notify(
            actor=None,
            recipients=recipients,
            title=f"审计日志链断裂：第 {report.broken_id} 号记录校验失败",
            body=f"{report.reason}。请立即核查数据库访问记录并保全现场。",
            url="/audit/",
            sms=True,
        )
    return report


def _email_report(
    recipients: list[Any], report: ChainReport, checkpoint: Checkpoint | None
) -> None:
    """The nightly report by email to the audit administrators: a copy of the newest
    checkpoint kept outside the system (a mailbox the application cannot rewrite)."""
    addresses = [r.email for r in recipients if r.email]
    if not addresses:
        return
    state = "完整" if report.ok else f"断裂（第 {report.broken_id} 号：{report.reason}）"
    lines = [f"审计日志链{state}，已校验 {report.checked} 条。"]
    if checkpoint is not None:
        lines.append(
            f"检查点 #{checkpoint.seq}：截至第 {checkpoint.last_id} 号记录共 {checkpoint.count} 条，"
            f"链值 {checkpoint.chain}，签名 {checkpoint.sig}，时间 {checkpoint.at}。"
        )
        lines.append("请留存本邮件；日后可与检查点文件和 manage.py verify_audit 的结果核对。")
    body = "\n".join(lines)
    transaction.on_commit(
        lambda: send_mail("审计日志日报", body, settings.DEFAULT_FROM_EMAIL, addresses)
    )


@db_periodic_task(crontab(minute="0"))
def hourly_audit_checkpoint() -> None:
    """A checkpoint every hour, so rows deleted from the end of the log are noticed."""
    anchors.take_checkpoint()


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_audit_chain_check() -> None:
    check_audit_chain()


# Huey discovers `tasks` modules only; the import framework's jobs live in core/imports/tasks.py,
# the SMS channel's in core/sms/tasks.py.
from .imports import tasks as import_tasks  # noqa: E402, F401
from .sms import tasks as sms_tasks  # noqa: E402, F401
