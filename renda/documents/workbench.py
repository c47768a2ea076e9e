"""知情知政 on the phone's 待办 list (core.selectors.due_items): each document released to the
user that they have not opened yet. A meeting document is due when its meeting starts."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from renda.core.selectors import Due

from .selectors import unread_for

# The list is a reminder, not the library: the newest unread ones.
MAX_DUE = 30


def due(user: Any) -> list[Due]:
    documents = (
        unread_for(user)
        .defer("text", "preview_html")
        .select_related("agenda_item", "agenda_item__meeting")
        .order_by("-release_at", "-id")[:MAX_DUE]
    )
    items = []
    for document in documents:
        meeting = document.agenda_item.meeting if document.agenda_item else None
        note = (
            f"{meeting.title} · {document.get_kind_display()}"
            if meeting
            else document.get_kind_display()
        )
        items.append(
            Due(
                kind="文件",
                title=f"阅读：{document.title}",
                url=reverse("documents:read", args=[document.pk]),
                due=meeting.start_at if meeting else None,
                note=note,
            )
        )
    return items
