"""Who may see and do what with 知情知政 documents.

- Staff (人大机关工作人员) keep the documents: upload, edit, withdraw, attach them to a
  meeting's agenda, see every document and who has read it. They hold the files on the
  congress's behalf, so a confidential document is theirs to read too.
- Deputies and standing-committee members read what has been released to them
  (`selectors.released_to`: the release list and the release time, in one place). Anything
  else — another meeting's papers, a confidential document they are not listed for, a document
  released "at the meeting" before it starts — is a 404: they are not told it exists.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from renda.core.roles import Duty, Role, has_duty, has_role

from .models import Document
from .selectors import released_to

READER_ROLES = (Role.DEPUTY, Role.SC_MEMBER)
MANAGER_ROLES = (Role.STAFF,)


def can_manage_documents(user: Any) -> bool:
    """Staff with the meetings duty: documents are released to a meeting's members."""
    return has_role(user, *MANAGER_ROLES) and has_duty(user, Duty.MEETINGS)


def require_manager(actor: Any) -> None:
    """For services: only staff (or None, the demo loader)."""
    if actor is not None and not can_manage_documents(actor):
        raise PermissionDenied("只有人大机关工作人员可以管理知情知政文件。")


def documents_for(user: Any) -> QuerySet[Document]:
    """Every document a user may open now: all of them for staff, the released ones for a
    reader, none for anybody else."""
    if can_manage_documents(user):
        return Document.objects.all()
    return released_to(user)


def get_document_for_reader(user: Any, pk: int) -> Document:
    if not (can_manage_documents(user) or has_role(user, *READER_ROLES)):
        raise PermissionDenied("您的角色无权查看知情知政文件。")
    return get_object_or_404(
        documents_for(user).select_related("agenda_item", "agenda_item__meeting"), pk=pk
    )


def get_document_for_manager(user: Any, pk: int) -> Document:
    if not can_manage_documents(user):
        raise PermissionDenied("只有人大机关工作人员可以管理知情知政文件。")
    return get_object_or_404(
        Document.objects.select_related("agenda_item", "agenda_item__meeting"), pk=pk
    )
