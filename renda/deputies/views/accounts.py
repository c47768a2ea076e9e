"""Deputies' log-in accounts: one from the deputy's record (one button), or a whole term's at
once from the registry."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.params import int_param
from renda.core.roles import Role, role_required

from .. import services
from ..models import Term
from ..permissions import get_deputy_for_user
from ..services.accounts import issuable, refusal


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


@role_required(Role.STAFF)
def accounts_issue(request: AuthenticatedRequest) -> HttpResponse:
    """Every deputy of a term on a phone in one action: the page shows, per term, how many
    accounts the action will open and which deputies it cannot (no valid mobile number);
    the POST opens them and lists the outcome."""
    terms = list(Term.objects.select_related("congress").order_by("-level", "-number"))
    term_id = int_param(request.POST if request.method == "POST" else request.GET, "term")
    term = next((t for t in terms if t.pk == term_id), terms[0] if terms else None)
    result = None
    if request.method == "POST" and term is not None:
        result = services.issue_term_accounts(actor=request.user, term=term)
        messages.success(
            request,
            f"已开通 {len(result.created)} 个账号，短信已排队发送到代表本人的手机；"
            f"{result.already} 名代表原已有账号；{len(result.refused)} 名未能开通（见下表）。",
        )
    deputies = list(issuable(term)) if term is not None else []
    waiting = [d for d in deputies if d.user_id is None]
    return render(
        request,
        "deputies/accounts_issue.html",
        {
            "section": "deputies",
            "terms": terms,
            "term": term,
            "result": result,
            "total": len(deputies),
            "with_account": len(deputies) - len(waiting),
            "to_open": [d for d in waiting if not refusal(d)],
            "cannot": [(d, refusal(d)) for d in waiting if refusal(d)],
        },
    )
