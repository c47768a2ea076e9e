"""学习资料 for nominees: statute texts by law (body text or an attachment), published by staff.
Nothing here touches the question bank: a material is written by hand, never drawn from it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from renda.core import audit
from renda.core.attachments import check_upload

from ..models import StudyMaterial, Topic
from ..permissions import require_material_manager

ALLOWED = frozenset({"pdf", "docx", "doc"})
MAX_MB = 20


def _check(material: StudyMaterial) -> None:
    if not material.title:
        raise ValidationError({"title": "请填写标题。"})
    if not material.body and not material.attachment:
        raise ValidationError({"body": "请填写正文或上传附件。"})


@transaction.atomic
def save_material(
    *,
    actor: Any,
    material: StudyMaterial | None,
    title: str,
    topic: Topic | None,
    body: str,
    attachment: UploadedFile | None = None,
) -> StudyMaterial:
    """Create (material=None) or change a material; an attachment replaces the old one."""
    require_material_manager(actor)
    creating = material is None
    if material is None:
        material = StudyMaterial(
            created_by=actor if getattr(actor, "is_authenticated", False) else None
        )
    else:
        material = StudyMaterial.objects.select_for_update().get(pk=material.pk)
    material.title = " ".join(title.split())[:200]
    material.topic = topic
    material.body = body.strip()
    if attachment is not None:
        check_upload(attachment, allowed=ALLOWED, max_mb=MAX_MB, field="attachment")
        material.attachment.save(attachment.name or "material", attachment, save=False)
    _check(material)
    material.full_clean()
    material.save()
    audit.record(
        actor=actor,
        action="exam.material_create" if creating else "exam.material_edit",
        target=material,
        details={"title": material.title, "topic": topic.pk if topic else None},
    )
    return material


@transaction.atomic
def set_published(*, actor: Any, material: StudyMaterial, published: bool) -> StudyMaterial:
    require_material_manager(actor)
    current = StudyMaterial.objects.select_for_update().get(pk=material.pk)
    if current.published == published:
        raise ValidationError("资料已经发布。" if published else "资料尚未发布。")
    current.published = published
    current.published_at = timezone.now() if published else None
    current.save(update_fields=["published", "published_at", "updated_at"])
    audit.record(
        actor=actor,
        action="exam.material_publish" if published else "exam.material_unpublish",
        target=current,
        details={"title": current.title},
    )
    return current
