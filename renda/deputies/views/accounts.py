"""A deputy's log-in account, opened by staff from the deputy's record (one button)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.roles import Role, role_required

from .. import services
from ..permissions import get_deputy_for_user


@role_required(Role.STAFF)
@require_POST
def deputy_account_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deputy = get_deputy_for_user(request.user, pk, write=True)
    return run_action(
        request,
        lambda: services.create_deputy_account(actor=request.user, deputy=deputy),
        then=reverse("deputies:detail", args=[deputy.pk]),
        done="账号已开通并关联到该代表；初始口令已以短信发送到代表本人的手机，请提醒代表查收。",
    )
