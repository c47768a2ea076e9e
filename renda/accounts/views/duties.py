"""The security administrator's page of duties (最小权限): which office or committee does
what in each module, the staff accounts of each, and the grants made to one account."""

from __future__ import annotations

from django import forms
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.core.actions import run_action
from renda.core.forms import BootstrapForm
from renda.core.models import Organization
from renda.core.roles import Duty, Role, role_required

from ..models import OfficeDuty, PersonalDuty, User
from ..permissions import AuthenticatedRequest
from ..services import duties as duty_services

DONE = "accounts:duties"


class PersonalDutyForm(BootstrapForm):
    username = forms.CharField(label="账号（用户名）", max_length=150)
    duty = forms.ChoiceField(label="职责", choices=Duty.choices)
    reason = forms.CharField(label="授权理由", max_length=200, help_text="如：借调参与预算审查")

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, role=Role.STAFF).first()
        if user is None:
            raise forms.ValidationError("没有这个人大机关工作人员账号。")
        return user


@role_required(Role.SECURITY_ADMIN)
def duty_list(request: AuthenticatedRequest) -> HttpResponse:
    offices = list(
        Organization.objects.filter(kind__in=duty_services.DUTY_KINDS, is_active=True)
        .annotate(staff=Count("users", filter=Q(users__role=Role.STAFF, users__is_active=True)))
        .order_by("kind", "code")
    )
    held: dict[int, set[str]] = {}
    for org_id, duty in OfficeDuty.objects.values_list("organization_id", "duty"):
        held.setdefault(org_id, set()).add(duty)
    rows = [
        {"org": o, "duties": [(d, label, d in held.get(o.pk, set())) for d, label in Duty.choices]}
        for o in offices
    ]
    grants = PersonalDuty.objects.select_related("user", "granted_by").order_by("user__username")
    return render(
        request,
        "accounts/admin/duties.html",
        {
            "rows": rows,
            "duties": Duty.choices,
            "grants": grants,
            "form": PersonalDutyForm(),
        },
    )


@role_required(Role.SECURITY_ADMIN)
@require_POST
def office_duties(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk, kind__in=duty_services.DUTY_KINDS)
    wanted = request.POST.getlist("duty")
    return run_action(
        request,
        lambda: duty_services.set_office_duties(
            actor=request.user, organization=organization, duties=wanted
        ),
        then=reverse(DONE),
        done=f"已保存{organization.name}的职责。",
    )


@role_required(Role.SECURITY_ADMIN)
@require_POST
def personal_grant(request: AuthenticatedRequest) -> HttpResponse:
    form = PersonalDutyForm(request.POST)

    def grant() -> None:
        if not form.is_valid():
            raise forms.ValidationError([str(m) for errors in form.errors.values() for m in errors])
        duty_services.grant_personal_duty(
            actor=request.user,
            user=form.cleaned_data["username"],
            duty=form.cleaned_data["duty"],
            reason=form.cleaned_data["reason"],
        )

    return run_action(request, grant, then=reverse(DONE), done="已单独授权。")


@role_required(Role.SECURITY_ADMIN)
@require_POST
def personal_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(PersonalDuty, pk=pk)
    return run_action(
        request,
        lambda: duty_services.withdraw_personal_duty(actor=request.user, grant=grant),
        then=reverse(DONE),
        done="已收回该项单独授权。",
    )
