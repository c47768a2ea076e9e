from __future__ import annotations

import io
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from renda.core import audit
from renda.core.models import AuditEvent
from renda.core.tests.tampering import tamper


def test_only_the_audit_admin_reads_the_log(world: Any, client_for: Any) -> None:
    audit.record(actor=world.staff, action="deputy.update", details={"changed": ["name"]})
    assert client_for("audit_admin").get(reverse("core:audit_log")).status_code == 200
    for persona in ["staff", "system_admin", "security_admin", "deputy"]:
        assert client_for(persona).get(reverse("core:audit_log")).status_code == 403


def test_it_filters_by_account_and_outcome(world: Any, client_for: Any) -> None:
    audit.record(actor=world.staff, action="deputy.update")
    audit.record(actor=None, action="auth.login_failed", outcome="failure", username="mallory")
    client = client_for("audit_admin")
    html = client.get(
        reverse("core:audit_log"), {"q": "mallory", "outcome": "failure"}
    ).content.decode()
    assert "auth.login_failed" in html and "deputy.update" not in html


def test_it_exports_the_filtered_log_to_excel(world: Any, client_for: Any) -> None:
    audit.record(actor=None, action="auth.login_failed", outcome="failure", username="mallory")
    response = client_for("audit_admin").get(reverse("core:audit_export"), {"q": "mallory"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("序号", "时间", "操作人", "事件", "事件代码")
    assert [(r[3], r[4]) for r in rows[1:]] == [("登录失败", "auth.login_failed")]
    assert AuditEvent.objects.filter(action="audit.export", actor=world.audit_admin).exists()


def test_the_verify_button_reports_a_broken_row(world: Any, client_for: Any) -> None:
    victim = audit.record(actor=None, action="test.victim")
    audit.record(actor=None, action="test.after")
    tamper(f"UPDATE {AuditEvent._meta.db_table} SET action = 'x' WHERE id = %s", [victim.pk])
    html = client_for("audit_admin").post(reverse("core:audit_verify")).content.decode()
    assert f"第 {victim.pk} 号记录校验失败" in html


def test_events_have_chinese_names_that_the_search_finds(world: Any, client_for: Any) -> None:
    audit.record(actor=None, action="auth.login_failed", outcome="failure", username="mallory")
    audit.record(actor=world.staff, action="deputy.update")
    html = client_for("audit_admin").get(reverse("core:audit_log"), {"q": "登录"}).content.decode()
    assert "登录失败" in html and "auth.login_failed" in html
    assert "修改代表信息" not in html


def test_the_export_details_are_readable_and_a_denial_names_method_and_path(
    world: Any, client_for: Any
) -> None:
    client_for("deputy").get(reverse("core:audit_log"))  # refused: 403, audited
    response = client_for("audit_admin").get(reverse("core:audit_export"), {"action": "越权访问"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[3] for r in rows[1:]] == ["越权访问被拒绝"]
    assert rows[1][9] == f"路径：{reverse('core:audit_log')}；请求方法：GET"


def test_the_filter_fields_are_styled_and_labelled(world: Any, client_for: Any) -> None:
    # The inputs had no form-control class and the labels pointed at nothing.
    html = client_for("audit_admin").get(reverse("core:audit_log")).content.decode()
    assert 'class="form-control" id="id_q"' in html.replace(' name="q"', "") or (
        'name="q"' in html and "form-control" in html.split('name="q"')[0].rsplit("<input", 1)[1]
    )
    assert 'for="id_since"' in html and "form-select" in html
