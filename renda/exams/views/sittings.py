"""Sitting pages for exam administrators (list, create, edit, the sitting's desk with its
password, enrolment, papers and slips) and the nominee's own 我的考试 (phone first): their
sittings and admission slips, never a question — the paper is shown only by the attempt."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.models import User
from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import BootstrapForm, attempt
from renda.core.roles import Duty, Role, duty_required, role_required

from ..models import Blueprint, Enrolment, ExamSitting, FormLot, Paper, SittingMode
from ..permissions import (
    SITTINGS_DENIED,
    can_manage_sittings,
    get_own_enrolment,
    get_sitting_for_user,
)
from ..services import sittings as sitting_services
from .slips import slip_context, slips_docx

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class SittingForm(BootstrapForm):
    title = forms.CharField(label="名称", max_length=120)
    starts_at = forms.DateTimeField(label="开考时间", widget=DATETIME)
    ends_at = forms.DateTimeField(
        label="截止时间", widget=DATETIME, help_text="过了截止时间不能再交卷"
    )
    duration_minutes = forms.IntegerField(
        label="考试时长（分钟）", min_value=1, max_value=600, initial=90
    )
    pass_mark = forms.DecimalField(
        label="及格分", min_value=1, max_digits=6, decimal_places=2, initial=60
    )
    venue = forms.CharField(label="考场", max_length=200)
    blueprint = forms.ModelChoiceField(Blueprint.objects.all(), label="组卷规则")
    mode = forms.ChoiceField(label="组卷方式", choices=SittingMode.choices)
    form_count = forms.IntegerField(
        label="平行卷套数", min_value=2, max_value=6, initial=2, help_text="平行卷方式时使用"
    )
    allowed_networks = forms.CharField(
        label="允许的IP范围",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个网段，如 10.12.0.0/16；不填则不限",
    )

    def clean_allowed_networks(self) -> list[str]:
        try:
            return sitting_services.parse_networks(self.cleaned_data.get("allowed_networks") or "")
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["allowed_networks"]) from error


class EnrolForm(BootstrapForm):
    user = forms.ModelChoiceField(
        User.objects.filter(role=Role.NOMINEE, is_active=True).order_by("name"),
        label="拟任命人员",
    )
    reason = forms.CharField(
        label="报名依据",
        max_length=300,
        help_text="如：拟任市住房和城乡建设局局长，市人民政府提请",
    )


def _require(request: AuthenticatedRequest) -> None:
    if not can_manage_sittings(request.user):
        raise PermissionDenied(SITTINGS_DENIED)


@duty_required(Duty.EXAMS)
def sittings(request: AuthenticatedRequest) -> HttpResponse:
    _require(request)
    rows = ExamSitting.objects.select_related("blueprint").annotate(
        enrolled=Count("enrolments", distinct=True)
    )
    return render(request, "exams/sittings.html", {"sittings": rows, "menu": "sittings"})


def _form_page(
    request: AuthenticatedRequest, form: SittingForm, title: str, back: str
) -> HttpResponse:
    return render(
        request,
        "exams/sitting_form.html",
        {"form": form, "title": title, "back_url": back, "menu": "sittings"},
    )


@duty_required(Duty.EXAMS)
def sitting_create(request: AuthenticatedRequest) -> HttpResponse:
    _require(request)
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=7)
    form = SittingForm(
        request.POST or None,
        initial={
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=2),
            "mode": SittingMode.INDIVIDUAL,
        },
    )
    if request.method == "POST" and form.is_valid():
        sitting = attempt(
            form, lambda: sitting_services.create_sitting(actor=request.user, **form.cleaned_data)
        )
        if sitting is not None:
            messages.success(request, f"已新建考试场次，考场口令 {sitting.password}。")
            return redirect("exams:sitting_detail", sitting.pk)
    return _form_page(request, form, "新建考试场次", reverse("exams:sittings"))


@duty_required(Duty.EXAMS)
def sitting_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sitting = get_sitting_for_user(request.user, pk)
    initial = {name: getattr(sitting, name) for name in sitting_services.FIELDS}
    initial["allowed_networks"] = "\n".join(sitting.allowed_networks)
    form = SittingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        networks = values.pop("allowed_networks")
        done = attempt(
            form,
            lambda: sitting_services.update_sitting(
                actor=request.user, sitting=sitting, allowed_networks=networks, **values
            ),
        )
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("exams:sitting_detail", sitting.pk)
    return _form_page(
        request, form, f"修改 {sitting.title}", reverse("exams:sitting_detail", args=[sitting.pk])
    )


@duty_required(Duty.EXAMS)
def sitting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sitting = get_sitting_for_user(request.user, pk)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolment = attempt(
            form,
            lambda: sitting_services.enrol(
                actor=request.user,
                sitting=sitting,
                user=form.cleaned_data["user"],
                reason=form.cleaned_data["reason"],
            ),
            aliases={"reason": "reason", "user": "user"},
        )
        if enrolment is not None:
            messages.success(request, f"已加入考试名单，座位号 {enrolment.seat:02d}。")
            return redirect("exams:sitting_detail", sitting.pk)
    enrolments = list(sitting.enrolments.select_related("user", "enrolled_by").order_by("seat"))
    # One query for every row's paper (a reverse one-to-one would cost a query per row).
    papers = {
        p.enrolment_id: p
        for p in Paper.objects.filter(enrolment__sitting=sitting).select_related("form")
    }
    forms_ = list(sitting.forms.annotate(question_count=Count("questions")).order_by("label"))
    lot = FormLot.objects.filter(sitting=sitting).select_related("form", "drawn_by").first()
    return render(
        request,
        "exams/sitting_detail.html",
        {
            "sitting": sitting,
            "form": form,
            "rows": [(e, papers.get(e.pk)) for e in enrolments],
            "waiting": sum(1 for e in enrolments if e.pk not in papers),
            "parallel": forms_,
            "lot": lot,
            "is_forms": sitting.mode == SittingMode.FORMS,
            "menu": "sittings",
        },
    )


@require_POST
@duty_required(Duty.EXAMS)
def sitting_password(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sitting = get_sitting_for_user(request.user, pk)
    return run_action(
        request,
        lambda: sitting_services.regenerate_password(actor=request.user, sitting=sitting),
        then=reverse("exams:sitting_detail", args=[sitting.pk]),
        done="已重新生成考场口令，请以新口令为准。",
    )


def _slip_enrolments(sitting: ExamSitting) -> list[Enrolment]:
    return list(sitting.enrolments.select_related("user", "sitting").order_by("seat"))


@duty_required(Duty.EXAMS)
def sitting_slips(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sitting = get_sitting_for_user(request.user, pk)
    enrolments = _slip_enrolments(sitting)
    sitting_services.record_slip_view(
        actor=request.user, target=sitting, kind="print", slips=[e.slip_number for e in enrolments]
    )
    return render(
        request,
        "exams/slips.html",
        {
            "slips": [slip_context(e) for e in enrolments],
            "sitting": sitting,
            "back_url": reverse("exams:sitting_detail", args=[sitting.pk]),
        },
    )


def _docx(content: bytes, name: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@duty_required(Duty.EXAMS)
def sitting_slips_docx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sitting = get_sitting_for_user(request.user, pk)
    enrolments = _slip_enrolments(sitting)
    sitting_services.record_slip_view(
        actor=request.user, target=sitting, kind="docx", slips=[e.slip_number for e in enrolments]
    )
    return _docx(slips_docx(enrolments), f"准考证-{sitting.title}.docx")


# --- the nominee's own pages ---------------------------------------------------------------------


@role_required(Role.NOMINEE)
def my_exams(request: AuthenticatedRequest) -> HttpResponse:
    enrolments = list(
        Enrolment.objects.filter(user=request.user)
        .select_related("sitting", "attempt")
        .order_by("-sitting__starts_at")
    )
    now = timezone.now()
    return render(
        request,
        "exams/my_exams.html",
        {
            "coming": [e for e in enrolments if e.sitting.ends_at >= now],
            "past": [e for e in enrolments if e.sitting.ends_at < now],
        },
    )


@role_required(Role.NOMINEE)
def my_slip(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    enrolment = get_own_enrolment(request.user, pk)
    sitting_services.record_slip_view(
        actor=request.user, target=enrolment, kind="print", slips=[enrolment.slip_number]
    )
    return render(
        request,
        "exams/slips.html",
        {
            "slips": [slip_context(enrolment)],
            "sitting": enrolment.sitting,
            "back_url": reverse("exams:my_exams"),
        },
    )


@role_required(Role.NOMINEE)
def my_slip_docx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    enrolment = get_own_enrolment(request.user, pk)
    sitting_services.record_slip_view(
        actor=request.user, target=enrolment, kind="docx", slips=[enrolment.slip_number]
    )
    return _docx(slips_docx([enrolment]), f"准考证-{enrolment.slip_number}.docx")
