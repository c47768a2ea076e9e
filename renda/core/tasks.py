"""Periodic jobs of `core`, run by the Huey consumer (`manage.py run_huey`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import audit
from .audit import ChainReport


def check_audit_chain() -> ChainReport:
    """Verify the audit chain; on a break, tell every audit administrator at once (inbox and
    SMS) and leave a failure event in the log itself."""
    from renda.accounts.models import User
    from renda.core.roles import Role

    from .notifications import notify

    report = audit.verify_chain()
    audit.record(
        actor=None,
        action="audit.verify_nightly",
        username="系统任务",
        outcome="success" if report.ok else "failure",
        details={"checked": report.checked, "broken_id": report.broken_id},
    )
    if not report.ok:
        notify(
            actor=None,
            recipients=User.objects.filter(role=Role.AUDIT_ADMIN, is_active=True),
            title=f"审计日志链断裂：第 {report.broken_id} 号记录校验失败",
            body=f"{report.reason}。请立即核查数据库访问记录并保全现场。",
            url="/audit/",
            sms=True,
        )
    return report


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_audit_chain_check() -> None:
    check_audit_chain()


# Huey discovers `tasks` modules only; the import framework's jobs live beside the framework.
from . import import_tasks  # noqa: E402, F401
