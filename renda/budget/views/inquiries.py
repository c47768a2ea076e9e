"""Inquiry letter (问询函) pages: the list (a data-provider officer sees only the letters
addressed to their organisation), the detail page with the workflow buttons and timeline,
drafting from alerts, the officer's answer with files, and the permission-checked download.

Each view: decorators → permission-checked fetch → form → one service call → redirect or
render (docs/architecture.md §4.2).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import acting_user
from renda.budget.forms.inquiries import InquiryCreateForm, InquiryFilterForm, RespondForm
from renda.budget.models import Inquiry, InquiryAttachment
from renda.budget.permissions import (
    HOME,
    alerts_for_user,
    can_handle_alerts,
    can_view_alerts,
    get_inquiry_for_user,
    inquiries_for_user,
)
from renda.budget.selectors import agenda
from renda.budget.services.inquiries import (
    BUTTON_STEPS,
    create_inquiry,
    default_questions,
    default_title,
    is_overdue,
    open_answers,
    overdue_q,
    respond_inquiry,
    take_step,
    update_draft,
)
from renda.budget.views import agenda as agenda_views
from renda.budget.views.letters import letter_docx
from renda.budget.views.pages import render_page
from renda.core import workflow as wf
from renda.core.forms import add_service_errors, attempt
from renda.core.roles import Duty, Role, duty_required, role_required

PAGE_SIZE = 30


@role_required(*HOME)
def inquiry_list(request: HttpRequest) -> HttpResponse:
    form = InquiryFilterForm(request.GET or None)
    qs = (
        inquiries_for_user(request.user)
        .annotate(
            alert_count=Count("answers", distinct=True),
            answered_count=Count(
                "answers",
                filter=Q(answers__state__in=("answered", "accepted")),
                distinct=True,
            ),
        )
        .order_by("-created_at", "-id")
    )
    now = timezone.now()
    if form.is_valid():
        d = form.cleaned_data
        if d["state"]:
            qs = qs.filter(state=d["state"])
        if d["q"]:
            qs = qs.filter(
                Q(number__contains=d["q"])
                | Q(title__contains=d["q"])
                | Q(addressee__name__contains=d["q"])
            )
        if d["overdue"]:
            qs = qs.filter(overdue_q(now))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page:
        item.overdue = is_overdue(item, now)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        "budget/inquiries/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_handle": can_handle_alerts(request.user),
        },
        section="inquiries",
    )


def _detail(
    request: HttpRequest, inquiry: Inquiry, status: int = 200, **agenda_forms: Any
) -> HttpResponse:
    user = request.user
    context = wf.page_context(user, inquiry)
    actions = context["workflow_actions"]
    context.update(
        # The answer has its own page; a return has its own form (which answers go back).
        workflow_actions=[t for t in actions if t.name in BUTTON_STEPS and t.name != "return"],
        can_respond=any(t.name == "respond" for t in actions),
        can_return=any(t.name == "return" for t in actions),
        # Late only while the addressee owes the answer (core's rule would also count a
        # letter answered on time and waiting for staff).
        workflow_overdue=is_overdue(inquiry),
        inquiry=inquiry,
        alerts=list(inquiry.alerts.select_related("rule", "unit")),
        answers=list(inquiry.answers.select_related("alert__rule", "alert__unit", "responded_by")),
        attachments=list(inquiry.attachments.all()),
        can_view_alerts=can_view_alerts(user),
        can_edit=inquiry.state == "draft" and can_handle_alerts(user),
        action_url=reverse("budget:inquiry_transition", args=[inquiry.pk]),
    )
    # 专题询问: a letter sent out may go before the standing committee (staff and its
    # members read the card; the addressee does not).
    context["show_agenda"] = inquiry.state != "draft" and can_view_alerts(user)
    if context["show_agenda"]:
        context.update(
            agenda_views.agenda_context(
                request,
                agenda.items_of(inquiry),
                can_handle=can_handle_alerts(user),
                default_title=f"关于{inquiry.title}的专题询问",
            )
        )
        context.get("agenda_forms", {}).update(agenda_forms)
    return render_page(
        request, "budget/inquiries/detail.html", context, section="inquiries", status=status
    )


@role_required(*HOME)
def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_inquiry_for_user(request.user, pk))


@role_required(Role.STAFF)
@require_POST
def inquiry_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = get_inquiry_for_user(request.user, pk)
    return agenda_views.put(
        request,
        inquiry,
        lambda **form: _detail(request, inquiry, status=422, **form),
        "budget:inquiry_detail",
    )


@role_required(Role.STAFF)
@require_POST
def inquiry_agenda_remove(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = get_inquiry_for_user(request.user, pk)
    return agenda_views.remove(
        request,
        inquiry,
        lambda **form: _detail(request, inquiry, status=422, **form),
        "budget:inquiry_detail",
    )


def _alert_ids(request: HttpRequest) -> list[int]:
    values = request.POST.getlist("alert") or request.GET.getlist("alert")
    return sorted({int(v) for v in values if v.isdigit()})


@duty_required(Duty.BUDGET)
def inquiry_create(request: HttpRequest) -> HttpResponse:
    alerts = list(
        alerts_for_user(request.user).filter(pk__in=_alert_ids(request)).order_by("period", "id")
    )
    if not alerts:
        messages.error(request, "请先在预警列表中勾选要问询的预警。")
        return redirect("budget:alerts")
    form = InquiryCreateForm(
        request.POST or None,
        initial={
            "title": default_title(alerts),
            "questions": default_questions(alerts),
            "response_days": 10,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        inquiry = attempt(
            form,
            lambda: create_inquiry(
                actor=acting_user(request),
                alerts=alerts,
                addressee=d["addressee"],
                title=d["title"],
                questions=d["questions"],
                response_days=d["response_days"],
            ),
        )
        if inquiry is not None:
            messages.success(request, f"问询函 {inquiry.number} 草稿已保存，核对无误后请点“发出”。")
            return redirect("budget:inquiry_detail", inquiry.pk)
    return render_page(
        request,
        "budget/inquiries/create.html",
        {"form": form, "alerts": alerts},
        section="inquiries",
        status=422 if form.errors else 200,
    )


@role_required(Role.STAFF)
@require_POST
def inquiry_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """The plain buttons: 发出, 办结, 退回重答, 撤回."""
    inquiry = get_inquiry_for_user(request.user, pk)
    form = wf.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "操作请求不完整，请刷新页面后重试。")
        return redirect("budget:inquiry_detail", inquiry.pk)
    d = form.cleaned_data
    try:
        take_step(
            actor=acting_user(request),
            inquiry=inquiry,
            step=d["transition"],
            note=d["note"],
            expected_state=d["expected_state"] or None,
            alerts=sorted({int(v) for v in request.POST.getlist("return_alert") if v.isdigit()}),
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已完成，当前状态：{inquiry.get_state_display()}。")
    return redirect("budget:inquiry_detail", inquiry.pk)


@duty_required(Duty.BUDGET)
def inquiry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft letter (until it is sent)."""
    inquiry = get_inquiry_for_user(request.user, pk)
    if inquiry.state != "draft":
        messages.error(request, "问询函已经发出，不能再修改。")
        return redirect("budget:inquiry_detail", inquiry.pk)
    form = InquiryCreateForm(
        request.POST or None,
        initial={
            "addressee": inquiry.addressee,
            "title": inquiry.title,
            "questions": inquiry.questions,
            "response_days": inquiry.response_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            form,
            lambda: update_draft(
                actor=acting_user(request),
                inquiry=inquiry,
                addressee=d["addressee"],
                title=d["title"],
                questions=d["questions"],
                response_days=d["response_days"],
            ),
        )
        if done is not None:
            messages.success(request, f"问询函 {inquiry.number} 草稿已修改。")
            return redirect("budget:inquiry_detail", inquiry.pk)
    return render_page(
        request,
        "budget/inquiries/edit.html",
        {"form": form, "inquiry": inquiry, "alerts": list(inquiry.alerts.select_related("rule"))},
        section="inquiries",
        status=422 if form.errors else 200,
    )


@role_required(*HOME)
def inquiry_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as a Word document, for whoever may read the letter."""
    inquiry = get_inquiry_for_user(request.user, pk)
    response = HttpResponse(
        letter_docx(inquiry),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    filename = quote(f"{inquiry.number}.docx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@role_required(Role.DATA_PROVIDER)
def inquiry_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer answers each open alert of the letter: its own text and finding."""
    inquiry = get_inquiry_for_user(request.user, pk)
    owed = open_answers(inquiry)
    form = RespondForm(request.POST or None, request.FILES or None, answers=owed)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            respond_inquiry(
                actor=acting_user(request),
                inquiry=inquiry,
                answers=form.answer_pairs(),
                files=d["attachments"],
                expected_state=d["expected_state"] or None,
            )
        except wf.TransitionNotAllowed as error:
            # Already answered (a second click) or no longer awaiting an answer.
            messages.error(request, "；".join(error.messages))
            return redirect("budget:inquiry_detail", inquiry.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "答复已提交，等待人大常委会预算工作机构审核。")
            return redirect("budget:inquiry_detail", inquiry.pk)
    elif request.method != "POST":
        if not any(t.name == "respond" for t in wf.available_transitions(request.user, inquiry)):
            messages.info(request, f"该问询函当前状态为“{inquiry.get_state_display()}”，无需答复。")
            return redirect("budget:inquiry_detail", inquiry.pk)
        form = RespondForm(initial={"expected_state": inquiry.state}, answers=owed)
    owed_ids = {a.pk for a in owed}
    return render_page(
        request,
        "budget/inquiries/respond.html",
        {
            "form": form,
            "inquiry": inquiry,
            "alerts": list(inquiry.alerts.select_related("rule")),
            "settled": [a for a in inquiry.answers.all() if a.pk not in owed_ids],
        },
        section="inquiries",
        status=422 if form.errors else 200,
    )


@role_required(*HOME)
def inquiry_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    # Scoped through the letters the user may read: another organisation's file is a 404.
    item = get_object_or_404(
        InquiryAttachment.objects.filter(inquiry__in=inquiries_for_user(request.user)), pk=pk
    )
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)  # type: ignore[return-value]
