"""Reading: the first visit writes one read receipt; every time the file's bytes leave the
server (the preview's PDF or a download) the audit log says who took which document; staff's
read report lists the release list read / not read, with counts and an Excel export; a
confidential document is watermarked with the reader's name and never cached."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from renda.core.models import AuditEvent
from renda.documents import services
from renda.documents.models import ReadReceipt
from renda.documents.rules import Audience
from renda.documents.selectors import read_report
from renda.meetings.tests.factories import a_deputy, deputy_user

from .factories import meeting_document, notified_item, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting_doc(world: Any) -> Any:
    a_deputy(world, user=world.deputy, name="李明")
    a_deputy(world, user=deputy_user(world, "wang"), name="王芳")
    a_deputy(world, name="赵强")  # no account yet
    return meeting_document(world, notified_item(world), confidential=True)


def test_the_first_visit_writes_the_receipt_once(
    world: Any, client_for: Any, meeting_doc: Any
) -> None:
    client = client_for("deputy")
    url = reverse("documents:read", args=[meeting_doc.pk])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert ReadReceipt.objects.filter(document=meeting_doc, user=world.deputy).count() == 1
    assert AuditEvent.objects.filter(action="documents.read", actor=world.deputy).count() == 1
    # Staff previewing it are not readers: no receipt.
    assert client_for("staff").get(url).status_code == 200
    assert not ReadReceipt.objects.filter(user=world.staff).exists()


def test_downloads_and_preview_bytes_are_audited(
    world: Any, client_for: Any, meeting_doc: Any
) -> None:
    client = client_for("deputy")
    response = client.get(reverse("documents:download", args=[meeting_doc.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    raw = client.get(reverse("documents:raw", args=[meeting_doc.pk]))
    assert raw["Content-Type"] == "application/pdf" and raw["Content-Disposition"] == "inline"
    events = AuditEvent.objects.filter(
        action__in=["documents.download", "documents.preview"], target_id=str(meeting_doc.pk)
    ).order_by("id")
    taken = [(e.action, e.actor_id, e.details["confidential"]) for e in events]
    assert taken == [
        ("documents.download", world.deputy.pk, True),
        ("documents.preview", world.deputy.pk, True),
    ]
    # Somebody off the list takes nothing and leaves no download row.
    outsider = deputy_user(world, "zhou")
    from django.test import Client

    from renda.conftest import login

    assert (
        login(Client(), outsider)
        .get(reverse("documents:download", args=[meeting_doc.pk]))
        .status_code
        == 404
    )
    assert not AuditEvent.objects.filter(action="documents.download", actor=outsider).exists()


def test_a_confidential_reader_page_is_watermarked_and_not_cached(
    world: Any, client_for: Any, meeting_doc: Any
) -> None:
    response = client_for("deputy").get(reverse("documents:read", args=[meeting_doc.pk]))
    html = response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert 'data-testid="watermark"' in html and world.deputy.name in html
    public = publish(world)
    response = client_for("deputy").get(reverse("documents:read", args=[public.pk]))
    assert 'data-testid="watermark"' not in response.content.decode()


def test_read_report_and_its_export(world: Any, client_for: Any, meeting_doc: Any) -> None:
    services.record_read(actor=world.deputy, document=meeting_doc)
    report = read_report(meeting_doc)
    assert (report.total, report.read, report.unread) == (3, 1, 2)
    assert [(r.name, r.read_at is not None) for r in report.rows] == [
        ("李明", True),
        ("王芳", False),
        ("赵强", False),
    ]
    assert report.rows[2].user_id is None  # no account
    page = (
        client_for("staff").get(reverse("documents:report", args=[meeting_doc.pk])).content.decode()
    )
    assert "已读 1" in page and "未读 2" in page and "未开通账号" in page
    response = client_for("staff").get(reverse("documents:report_export", args=[meeting_doc.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["姓名", "代表团或身份", "是否已读", "首次阅读时间"]
    assert [r[:3] for r in rows[1:]] == [
        ["李明", rows[1][1], "已读"],
        ["王芳", rows[2][1], "未读"],
        ["赵强", rows[3][1], "未开通账号"],
    ]
    assert AuditEvent.objects.filter(action="documents.report_export").exists()


def test_read_report_of_library_audiences(world: Any) -> None:
    committee = publish(world, audience=Audience.SC_MEMBERS, kind="sc_notice")
    assert [r.name for r in read_report(committee).rows] == [world.sc_member.name]
    everyone = publish(world)
    services.record_read(actor=world.sc_member, document=everyone)
    names = {r.name: r.read_at is not None for r in read_report(everyone).rows}
    assert names == {world.deputy.name: False, world.sc_member.name: True}
