"""Inquiry letters staff can send (issue 14, item 12): a draft is edited until it is sent,
the letter downloads as Word in the official layout, and printing shows only the letter."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from docx import Document

from renda.budget.services import inquiries
from renda.budget.tests.alert_data import draft_inquiry, issued_inquiry
from renda.budget.views.letters import chinese_date
from renda.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def form(inquiry: Any, **over: Any) -> dict[str, Any]:
    data = {
        "addressee": inquiry.addressee_id,
        "title": inquiry.title,
        "questions": inquiry.questions,
        "response_days": inquiry.response_days,
    }
    data.update(over)
    return data


def test_staff_edit_a_draft_until_it_is_sent(world: Any, client_for: Any) -> None:
    inquiry = draft_inquiry(world)
    client = client_for("staff")
    page = client.get(reverse("budget:inquiry_detail", args=[inquiry.pk])).content.decode()
    assert reverse("budget:inquiry_edit", args=[inquiry.pk]) in page
    url = reverse("budget:inquiry_edit", args=[inquiry.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, form(inquiry, title="关于大额支付的问询函", response_days=7))
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.title == "关于大额支付的问询函" and inquiry.response_days == 7
    assert AuditEvent.objects.filter(action="budget.inquiry.edit").exists()

    inquiries.issue_inquiry(actor=world.staff, inquiry=inquiry)
    page = client.get(reverse("budget:inquiry_detail", args=[inquiry.pk])).content.decode()
    assert reverse("budget:inquiry_edit", args=[inquiry.pk]) not in page
    assert client.post(url, form(inquiry, title="改过")).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.title == "关于大额支付的问询函"
    with pytest.raises(ValidationError, match="已经发出"):
        inquiries.update_draft(
            actor=world.staff,
            inquiry=inquiry,
            addressee=inquiry.addressee,
            title="x",
            questions="y",
            response_days=5,
        )


def test_a_bad_edit_is_refused_next_to_the_field(world: Any, client_for: Any) -> None:
    inquiry = draft_inquiry(world)
    url = reverse("budget:inquiry_edit", args=[inquiry.pk])
    response = client_for("staff").post(url, form(inquiry, response_days=0))
    assert response.status_code == 422 and response.context["form"].errors["response_days"]


def test_the_word_letter_has_the_official_parts(world: Any, client_for: Any) -> None:
    inquiry = issued_inquiry(world)
    response = client_for("data_provider").get(reverse("budget:inquiry_docx", args=[inquiry.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert ".docx" in response["Content-Disposition"]
    paragraphs = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert paragraphs[0] == inquiry.number  # 文号
    assert paragraphs[1] == inquiry.title
    assert paragraphs[2] == f"{inquiry.addressee.name}："  # 主送
    assert inquiry.questions.splitlines()[0].strip() in paragraphs  # 正文
    issued = timezone.localtime(inquiry.issued_at).date()
    assert paragraphs[-2] == "冷水江市人大常委会预算工作委员会"  # 落款
    assert paragraphs[-1] == f"{issued.year}年{issued.month}月{issued.day}日"
    assert any(p.startswith("请于") and p.endswith("前书面答复。") for p in paragraphs)


def test_dates_are_written_the_chinese_way() -> None:
    import datetime as dt

    assert chinese_date(dt.date(2026, 11, 26)) == "2026年11月26日"
    assert chinese_date(dt.date(2026, 1, 5)) == "2026年1月5日"


def test_printing_shows_only_the_letter(world: Any, client_for: Any) -> None:
    inquiry = issued_inquiry(world)
    html = client_for("staff").get(reverse("budget:inquiry_detail", args=[inquiry.pk])).content
    page = html.decode()
    assert "budget/letter-print.css" in page and "onclick=" not in page
    assert 'class="card mb-3 d-print-none" data-testid="status-panel"' in page
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(str(finders.find("budget/letter-print.css"))).read_text(encoding="utf-8")
    assert "@media print" in css and "main .alert" in css
    assert '[data-testid="inquiry-letter"] * { visibility: visible; }' in css
