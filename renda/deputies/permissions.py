from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from renda.accounts.permissions import can_manage_deputies, can_view_deputies

from .models import Deputy
from .selectors import staff_deputies


def get_deputy_for_user(user: Any, pk: int, *, write: bool = False) -> Deputy:
    """Staff and SC members read every deputy; only staff change them. A deputy reads
    only their own record."""
    if write and not can_manage_deputies(user):
        raise PermissionDenied
    if can_view_deputies(user):
        return get_object_or_404(staff_deputies().defer(None), pk=pk)
    if getattr(user, "role", None) == "deputy":
        return get_object_or_404(Deputy.objects.select_related("region", "term"), pk=pk, user=user)
    raise PermissionDenied


def can_see_contact_data(user: Any) -> bool:
    return can_manage_deputies(user)
