"""Study material: staff write and publish statute texts by law; a nominee reads only the
published ones, downloads their attachments, and never reaches the question bank."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from renda.core.models import AuditEvent
from renda.exams.models import StudyMaterial
from renda.exams.services.study import save_material, set_published

from .factories import law, make_question

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% statute text\n"
BODY = "第二条　中华人民共和国的一切权力属于人民。"


def _material(world: Any, title: str = "中华人民共和国宪法（节选）", **kw: Any) -> StudyMaterial:
    return save_material(
        actor=world.staff, material=None, title=title, topic=law("宪法"), body=BODY, **kw
    )


def test_a_material_needs_a_title_and_text_or_a_file(world: Any) -> None:
    with pytest.raises(ValidationError, match="正文或上传附件"):
        save_material(actor=world.staff, material=None, title="空的", topic=None, body=" ")
    with pytest.raises(ValidationError, match="标题"):
        save_material(actor=world.staff, material=None, title=" ", topic=None, body=BODY)
    with pytest.raises(PermissionDenied):
        save_material(actor=world.nominee, material=None, title="考生写的", topic=None, body=BODY)
    assert not StudyMaterial.objects.exists()


def test_the_nominee_reads_only_published_material(world: Any, client_for: Any) -> None:
    published = _material(world)
    set_published(actor=world.staff, material=published, published=True)
    draft = _material(world, title="监督法草稿资料")
    client = client_for("nominee")
    page = client.get(reverse("exams:my_materials")).content.decode()
    assert "中华人民共和国宪法（节选）" in page and "监督法草稿资料" not in page
    detail = client.get(reverse("exams:my_material", args=[published.pk]))
    assert detail.status_code == 200 and BODY in detail.content.decode()
    assert client.get(reverse("exams:my_material", args=[draft.pk])).status_code == 404
    # Withdrawn, it is gone for the nominee too.
    set_published(actor=world.staff, material=published, published=False)
    assert client.get(reverse("exams:my_material", args=[published.pk])).status_code == 404
    assert [
        e.action
        for e in AuditEvent.objects.filter(action__startswith="exam.material_").order_by("pk")
    ] == [
        "exam.material_create",
        "exam.material_publish",
        "exam.material_create",
        "exam.material_unpublish",
    ]


def test_an_attachment_is_checked_and_downloaded_once_published(
    world: Any, client_for: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match="不支持"):
        _material(world, attachment=SimpleUploadedFile("a.exe", b"MZ\x90\x00"))
    material = _material(world, attachment=SimpleUploadedFile("xianfa.pdf", PDF))
    client = client_for("nominee")
    url = reverse("exams:material_file", args=[material.pk])
    assert client.get(url).status_code == 404
    set_published(actor=world.staff, material=material, published=True)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]


def test_the_nominee_never_reaches_the_bank(world: Any, client_for: Any) -> None:
    question = make_question(world.staff)
    material = _material(world)
    set_published(actor=world.staff, material=material, published=True)
    client = client_for("nominee")
    for name, args in (
        ("exams:bank", []),
        ("exams:question_detail", [question.pk]),
        ("exams:bank_export", []),
        ("exams:materials", []),
        ("exams:material_edit", [material.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403, name
    page = client.get(reverse("exams:my_materials")).content.decode()
    assert question.current.stem not in page
    assert reverse("exams:bank") not in page


def test_staff_publish_from_the_list_page(world: Any, client_for: Any) -> None:
    material = _material(world)
    client = client_for("staff")
    assert "未发布" in client.get(reverse("exams:materials")).content.decode()
    response = client.post(reverse("exams:material_publish", args=[material.pk]))
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.published and material.published_at is not None
