"""Appointment lists (提请任命名单) for exam administrators: the dashboard of every list and
every nominee still to sit, a list's page with its gate, enrolment (and the one makeup),
exemption, the drafted advice to withdraw, the vote and its results, the 任命书 and the oath;
the nominee's own appointment status; and the public 任免名单 (人大之家, no log-in)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from renda.accounts.models import User
from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import BootstrapForm, attempt
from renda.core.models import Organization
from renda.core.roles import Duty, Role, duty_required, role_required
from renda.meetings.models import Meeting

from ..models import (
    AppointmentList,
    AppointmentRecord,
    Attempt,
    ExamSitting,
    ListState,
    Nomination,
    PositionCategory,
    VoteResult,
)
from ..permissions import (
    APPOINTMENTS_DENIED,
    can_manage_appointments,
    get_list_for_user,
    get_nomination_for_user,
    get_public_list,
    get_record_for_user,
)
from ..services import appointment_votes as votes
from ..services import appointments as services
from .slips import _run

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ListForm(BootstrapForm):
    title = forms.CharField(label="名称", max_length=200, help_text="如：市人民政府提请任命名单")
    nominating_body = forms.ModelChoiceField(
        Organization.objects.filter(is_active=True).order_by("code"), label="提请机关"
    )
    meeting = forms.ModelChoiceField(
        Meeting.objects.filter(kind__in=services.MEETING_KINDS)
        .exclude(state="closed")
        .order_by("start_at"),
        label="常委会会议",
    )
    lead_days = forms.IntegerField(
        label="提前提请天数",
        min_value=0,
        max_value=90,
        initial=services.AppointmentList._meta.get_field("lead_days").get_default,
        help_text="须在会议召开前至少这么多天提请",
    )


class NominationForm(BootstrapForm):
    user = forms.ModelChoiceField(
        User.objects.filter(role=Role.NOMINEE, is_active=True).order_by("name"),
        label="拟任命人员",
    )
    post = forms.CharField(label="拟任职务", max_length=200)
    position_category = forms.ChoiceField(label="岗位类别", choices=PositionCategory.choices)


class EnrolForm(BootstrapForm):
    sitting = forms.ModelChoiceField(ExamSitting.objects.all(), label="考试场次")


class ResultForm(BootstrapForm):
    result = forms.ChoiceField(
        label="表决结果", choices=[(VoteResult.PASSED, "通过"), (VoteResult.REJECTED, "未通过")]
    )
    votes_for = forms.IntegerField(label="赞成", min_value=0)
    votes_against = forms.IntegerField(label="反对", min_value=0)
    abstentions = forms.IntegerField(label="弃权", min_value=0)


class OathForm(BootstrapForm):
    oath_on = forms.DateField(label="宪法宣誓日期", widget=DATE)


class AdviceForm(BootstrapForm):
    text = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 14}))


def _require(request: AuthenticatedRequest) -> None:
    if not can_manage_appointments(request.user):
        raise PermissionDenied(APPOINTMENTS_DENIED)


def _back(appointment_list: AppointmentList) -> str:
    return reverse("exams:applist_detail", args=[appointment_list.pk])


@duty_required(Duty.EXAMS)
def applists(request: AuthenticatedRequest) -> HttpResponse:
    _require(request)
    lists = list(
        AppointmentList.objects.select_related("nominating_body", "meeting").order_by(
            "-meeting__start_at", "-pk"
        )
    )
    nominations = Nomination.objects.filter(appointment_list__in=lists).select_related(
        "user", "appointment_list"
    )
    rows = services.statuses(nominations.order_by("appointment_list", "order"))
    by_list: dict[int, list[services.NomineeStatus]] = {}
    for row in rows:
        by_list.setdefault(row.nomination.appointment_list_id, []).append(row)
    summary = [
        (
            item,
            len(by_list.get(item.pk, [])),
            sum(1 for r in by_list.get(item.pk, []) if not r.clear),
        )
        for item in lists
    ]
    to_sit = [r for r in rows if not r.clear and r.nomination.appointment_list.state != "voted"]
    return render(
        request,
        "exams/appointments/lists.html",
        {"summary": summary, "to_sit": to_sit, "menu": "appointments"},
    )


@duty_required(Duty.EXAMS)
def applist_create(request: AuthenticatedRequest) -> HttpResponse:
    _require(request)
    form = ListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = attempt(
            form, lambda: services.create_list(actor=request.user, **form.cleaned_data)
        )
        if created is not None:
            messages.success(request, "已新建提请任命名单。")
            return redirect("exams:applist_detail", created.pk)
    return render(
        request,
        "exams/appointments/list_form.html",
        {"form": form, "back_url": reverse("exams:applists"), "menu": "appointments"},
    )


@duty_required(Duty.EXAMS)
def applist_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    appointment_list = get_list_for_user(request.user, pk)
    form = NominationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = attempt(
            form,
            lambda: services.add_nomination(
                actor=request.user, appointment_list=appointment_list, **form.cleaned_data
            ),
        )
        if added is not None:
            messages.success(request, "已加入名单。")
            return redirect("exams:applist_detail", appointment_list.pk)
    result = services.gate(appointment_list)
    records = {
        r.nomination_id: r
        for r in AppointmentRecord.objects.filter(nomination__appointment_list=appointment_list)
    }
    return render(
        request,
        "exams/appointments/list_detail.html",
        {
            "item": appointment_list,
            "gate": result,
            "rows": [(r, records.get(r.nomination.pk)) for r in result.rows],
            "form": form,
            "enrol_form": EnrolForm(),
            "days_ahead": services.days_before(appointment_list, timezone.now()),
            "editable": appointment_list.state in (ListState.DRAFT, ListState.SUBMITTED),
            "menu": "appointments",
        },
    )


@require_POST
@duty_required(Duty.EXAMS)
def applist_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    appointment_list = get_list_for_user(request.user, pk)
    return run_action(
        request,
        lambda: services.submit_list(actor=request.user, appointment_list=appointment_list),
        then=_back(appointment_list),
        done="已提请常委会，名单已列入会议议程。",
    )


@require_POST
@duty_required(Duty.EXAMS)
def applist_vote(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    appointment_list = get_list_for_user(request.user, pk)
    return run_action(
        request,
        lambda: votes.open_vote(actor=request.user, appointment_list=appointment_list),
        then=_back(appointment_list),
        done="名单已交付表决，请在表决后逐人登记结果。",
    )


@require_POST
@duty_required(Duty.EXAMS)
def nomination_enrol(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk)
    form = EnrolForm(request.POST)
    back = _back(nomination.appointment_list)
    if not form.is_valid():
        messages.error(request, "请选择考试场次。")
        return redirect(back)
    return run_action(
        request,
        lambda: services.enrol_nominee(
            actor=request.user, nomination=nomination, sitting=form.cleaned_data["sitting"]
        ),
        then=back,
        done="已加入考试名单。",
    )


class ExemptForm(BootstrapForm):
    earlier = forms.ChoiceField(label="此前的合格记录")
    reason = forms.CharField(
        label="免考理由",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如：2024年任前法律考试合格，现平级转任",
    )

    def __init__(
        self,
        *args: Any,
        records: list[AppointmentRecord],
        attempts: list[Attempt],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—— 请选择 ——")]
        choices += [
            (f"record:{r.pk}", f"任免记录：{r.appointed_on:%Y-%m-%d} 任{r.post}") for r in records
        ]
        choices += [
            (
                f"attempt:{a.pk}",
                f"考试合格：{a.enrolment.sitting.title}（{a.total_score} 分）",
            )
            for a in attempts
        ]
        earlier = self.fields["earlier"]
        assert isinstance(earlier, forms.ChoiceField)
        earlier.choices = choices


@duty_required(Duty.EXAMS)
def nomination_exempt(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk)
    records, attempts = services.exemption_candidates(nomination.user)
    form = ExemptForm(request.POST or None, records=records, attempts=attempts)
    if request.method == "POST" and form.is_valid():
        kind, _, key = form.cleaned_data["earlier"].partition(":")
        record = next((r for r in records if kind == "record" and str(r.pk) == key), None)
        earlier = next((a for a in attempts if kind == "attempt" and str(a.pk) == key), None)
        done = attempt(
            form,
            lambda: services.exempt_nomination(
                actor=request.user,
                nomination=nomination,
                reason=form.cleaned_data["reason"],
                record=record,
                attempt=earlier,
            ),
            aliases={"record": "earlier"},
        )
        if done is not None:
            messages.success(request, f"已登记{services.person(nomination.user)}免考。")
            return redirect(_back(nomination.appointment_list))
    return render(
        request,
        "exams/appointments/exempt.html",
        {
            "nomination": nomination,
            "form": form,
            "records": records,
            "attempts": attempts,
            "back_url": _back(nomination.appointment_list),
            "menu": "appointments",
        },
    )


@duty_required(Duty.EXAMS)
def nomination_advice(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk)
    status = services.status_of(nomination)
    if status.code != services.Status.FAILED_FINAL:
        raise Http404("此人没有建议撤回提请的意见。")
    form = AdviceForm(request.POST or None, initial={"text": services.advice_text(nomination)})
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.save_advice(
                actor=request.user, nomination=nomination, text=form.cleaned_data["text"]
            ),
        )
        if done is not None:
            messages.success(request, "已保存意见。")
            return redirect("exams:nomination_advice", nomination.pk)
    else:
        services.record_advice_view(actor=request.user, nomination=nomination, kind="page")
    return render(
        request,
        "exams/appointments/advice.html",
        {
            "nomination": nomination,
            "status": status,
            "form": form,
            "text": services.advice_text(nomination),
            "back_url": _back(nomination.appointment_list),
            "menu": "appointments",
        },
    )


@duty_required(Duty.EXAMS)
def nomination_result(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    nomination = get_nomination_for_user(request.user, pk)
    form = ResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: votes.record_result(
                actor=request.user, nomination=nomination, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, "已登记表决结果。")
            return redirect(_back(nomination.appointment_list))
    return render(
        request,
        "exams/appointments/result.html",
        {
            "nomination": nomination,
            "form": form,
            "members": votes.attending(nomination.appointment_list.meeting),
            "back_url": _back(nomination.appointment_list),
            "menu": "appointments",
        },
    )


@require_POST
@duty_required(Duty.EXAMS)
def record_oath(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, pk)
    form = OathForm(request.POST)
    back = _back(record.nomination.appointment_list)
    if not form.is_valid():
        messages.error(request, "请填写宪法宣誓日期。")
        return redirect(back)
    return run_action(
        request,
        lambda: votes.record_oath(
            actor=request.user, record=record, oath_on=form.cleaned_data["oath_on"]
        ),
        then=back,
        done="已登记宪法宣誓。",
    )


def _day(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def letter_docx(record: AppointmentRecord) -> bytes:
    """任命书: one page, the person, the post, the meeting that voted and its date."""
    meeting = record.nomination.appointment_list.meeting
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(3.5)
    section.left_margin = section.right_margin = Cm(2.8)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, "任 命 书", size=26, bold=True)
    _run(document.add_paragraph(), f"{services.person(record.user)}同志：", size=16)
    body = document.add_paragraph()
    body.paragraph_format.first_line_indent = Cm(1.1)
    _run(
        body,
        f"经{meeting.title}于{_day(record.appointed_on)}表决通过，"
        f"任命{services.person(record.user)}为{record.post}。",
        size=16,
    )
    for text in (services.ISSUER, _day(record.appointed_on)):
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(line, text, size=16)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@duty_required(Duty.EXAMS)
def record_letter(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    from urllib.parse import quote

    record = get_record_for_user(request.user, pk)
    votes.record_letter(actor=request.user, record=record)
    response = HttpResponse(letter_docx(record), content_type=DOCX)
    name = f"任命书-{services.person(record.user)}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


# --- the nominee's own status ----------------------------------------------------------------


@role_required(Role.NOMINEE)
def my_appointments(request: AuthenticatedRequest) -> HttpResponse:
    nominations = (
        Nomination.objects.filter(user=request.user)
        .exclude(appointment_list__state=ListState.DRAFT)
        .select_related("appointment_list__meeting", "appointment_list__nominating_body")
        .order_by("-appointment_list__meeting__start_at")
    )
    rows = services.statuses(nominations)
    records = {r.nomination_id: r for r in AppointmentRecord.objects.filter(user=request.user)}
    return render(
        request,
        "exams/appointments/mine.html",
        {"rows": [(r, records.get(r.nomination.pk)) for r in rows]},
    )


# --- 人大之家: the public 任免名单 (no log-in) --------------------------------------------------


def public_lists(request: HttpRequest) -> HttpResponse:
    lists = (
        AppointmentList.objects.filter(state=ListState.VOTED)
        .select_related("meeting", "nominating_body")
        .order_by("-voted_at", "-pk")
    )
    return render(request, "exams/appointments/public_lists.html", {"lists": lists})


def public_list(request: HttpRequest, pk: int) -> HttpResponse:
    appointment_list = get_public_list(pk)
    return render(
        request,
        "exams/appointments/public_list.html",
        {
            "item": appointment_list,
            "appointed": votes.appointed(appointment_list),
            "day": _day(appointment_list.meeting.start_date),
        },
    )
