"""Receptions and constituent opinions on the staff side: entering a reception on a phone,
the opinion list (scoped: county staff all, a clerk their stations, a unit its items), the
detail page with the workflow timeline, and one view per workflow step."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from renda.accounts.permissions import acting_user
from renda.core import audit
from renda.core.roles import Role, role_required
from renda.core.workflow import TransitionForm, overdue_q, page_context
from renda.lib.excel import xlsx_response

from .. import services
from ..forms import (
    AssignForm,
    ConvertForm,
    OpinionFilterForm,
    RateForm,
    ReceptionForm,
    ReplyForm,
    add_service_errors,
)
from ..models import Opinion, OpinionAttachment
from ..permissions import (
    can_see_contact,
    can_work_on_opinion,
    get_opinion_for_user,
    get_reception_for_user,
    get_station_for_user,
    is_officer_of_unit,
    opinions_for,
    receptions_for,
    stations_for,
)
from ..selectors import opinion_counts_by_state
from ..workflows import BUTTON_TRANSITIONS, OPINION

PAGE_SIZE = 50
OPINION_ROLES = (Role.STAFF, Role.SC_MEMBER, Role.HANDLING_OFFICER)


# --- receptions ---------------------------------------------------------------------------


@role_required(Role.STAFF)
@sensitive_post_parameters("constituent_name", "constituent_phone")
def reception_create(request: HttpRequest, pk: int) -> HttpResponse:
    station = get_station_for_user(request.user, pk, write=True)
    form = ReceptionForm(request.POST or None, request.FILES or None, station=station)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reception = services.record_reception(actor=request.user, station=station, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if data["as_opinion"]:
                messages.success(
                    request,
                    f"已登记，并生成社情民意（查询码 {reception.opinion.formatted_code}，请告知群众）。",
                )
            else:
                messages.success(request, "已登记接待。")
            return redirect("stations:reception_create", station.pk)
    return render(request, "stations/reception_form.html", {"form": form, "station": station})


@role_required(Role.STAFF, Role.SC_MEMBER)
def reception_list(request: HttpRequest) -> HttpResponse:
    qs = (
        receptions_for(request.user)
        .select_related("station", "deputy")
        .defer("constituent_name", "constituent_phone")
    )
    station = request.GET.get("station", "")
    if station.isdigit():
        qs = qs.filter(station_id=int(station))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "stations/reception_list.html", {"page": page, "query": query.urlencode()}
    )


@role_required(Role.STAFF, Role.SC_MEMBER)
def reception_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reception = get_reception_for_user(request.user, pk)
    opinion = Opinion.objects.filter(reception=reception).first()
    return render(
        request,
        "stations/reception_detail.html",
        {
            "reception": reception,
            "opinion": opinion,
            "photos": reception.photos.all(),
            "show_contact": can_see_contact(request.user, reception),
        },
    )


# --- opinions -----------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[OpinionFilterForm, QuerySet[Opinion]]:
    user = acting_user(request)
    stations = None if user.role == Role.HANDLING_OFFICER else stations_for(user).order_by("code")
    form = OpinionFilterForm(request.GET or None, stations=stations)
    qs = opinions_for(user)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            qs = qs.filter(tracking_code=services.normalise_code(data["q"]))
        if data.get("state"):
            qs = qs.filter(state=data["state"])
        if data.get("station"):
            qs = qs.filter(station=data["station"])
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("overdue"):
            qs = qs.filter(overdue_q(OPINION))
    return form, qs


def _list_qs(qs: QuerySet[Opinion]) -> QuerySet[Opinion]:
    # Contact columns never leave the database for a list; content only as needed.
    return qs.select_related("station", "unit").defer("contact_name", "contact_phone", "reply")


@role_required(*OPINION_ROLES)
def opinion_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(_list_qs(qs).order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    terminal = OPINION.terminal_states
    rows = [(o, o.due_at is not None and o.state not in terminal and o.due_at < now) for o in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "stations/opinion_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "counts": opinion_counts_by_state(opinions_for(request.user)),
            "states": OPINION.states,
            "is_unit": acting_user(request).role == Role.HANDLING_OFFICER,
        },
    )


@role_required(*OPINION_ROLES)
def opinion_export(request: HttpRequest) -> HttpResponse:
    _, qs = _filtered(request)
    headers = [
        "查询码",
        "收到时间",
        "来源",
        "站点",
        "类别",
        "内容",
        "状态",
        "承办单位",
        "办理期限",
        "答复类别",
        "群众评价",
    ]
    rows = (
        [
            o.formatted_code,
            timezone.localtime(o.created_at).strftime("%Y-%m-%d %H:%M"),
            o.get_source_display(),
            o.station.name if o.station else "",
            o.get_category_display(),
            o.content,
            o.get_state_display(),
            o.unit.name if o.unit else "",
            timezone.localtime(o.due_at).strftime("%Y-%m-%d") if o.due_at else "",
            o.get_reply_class_display(),
            o.get_rating_display(),
        ]
        for o in _list_qs(qs).order_by("-created_at").iterator(chunk_size=2000)
    )
    audit.record(actor=request.user, action="opinion.export")
    return xlsx_response(
        "社情民意", headers, rows, filename=f"社情民意-{timezone.localdate():%Y%m%d}.xlsx"
    )


def suggestion_url(opinion: Opinion) -> str:
    """The suggestion's page, only when the suggestions module provides one."""
    if not opinion.suggestion_id:
        return ""
    try:
        return reverse("suggestions:detail", args=[opinion.suggestion_id])
    except NoReverseMatch:
        return ""


@role_required(*OPINION_ROLES)
def opinion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = get_opinion_for_user(request.user, pk)
    user = request.user
    context: dict[str, Any] = page_context(user, opinion)
    names = {t.name for t in context["workflow_actions"]}
    context["workflow_actions"] = [
        t for t in context["workflow_actions"] if t.name in BUTTON_TRANSITIONS
    ]
    station_side = can_work_on_opinion(user, opinion)
    context.update(
        {
            "opinion": opinion,
            "action_url": reverse("stations:opinion_step", args=[opinion.pk]),
            "show_contact": can_see_contact(user, opinion),
            "attachments": opinion.attachments.all(),
            "suggestion_url": suggestion_url(opinion),
            "assign_form": AssignForm() if names & {"assign", "assign_complex"} else None,
            "answer_form": ReplyForm(prefix="answer") if "answer" in names else None,
            "reply_form": ReplyForm() if "reply" in names else None,
            "convert_form": ConvertForm(station=opinion.station) if "convert" in names else None,
            "rate_form": RateForm() if station_side and "rate_satisfied" in names else None,
            "is_unit": is_officer_of_unit(user, opinion.unit_id),
        }
    )
    return render(request, "stations/opinion_detail.html", context)


def _done(request: HttpRequest, opinion: Opinion, text: str) -> HttpResponse:
    messages.success(request, f"{text}，当前状态：{opinion.get_state_display()}。")
    return redirect("stations:opinion_detail", opinion.pk)


def _failed(request: HttpRequest, opinion: Opinion, error: ValidationError) -> HttpResponse:
    messages.error(request, "；".join(error.messages))
    return redirect("stations:opinion_detail", opinion.pk)


@require_POST
@role_required(*OPINION_ROLES)
def opinion_step(request: HttpRequest, pk: int) -> HttpResponse:
    """The plain buttons (reject, return, relay, feedback, close)."""
    opinion = get_opinion_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "操作请求不完整，请刷新页面后重试。")
        return redirect("stations:opinion_detail", opinion.pk)
    data = form.cleaned_data
    try:
        services.take_step(
            actor=request.user,
            opinion=opinion,
            transition=data["transition"],
            note=data["note"],
            expected_state=data["expected_state"] or None,
        )
    except ValidationError as error:  # TransitionNotAllowed is one
        return _failed(request, opinion, error)
    step = OPINION.transition(data["transition"])
    return _done(request, opinion, f"已{step.label if step else '办理'}")


@require_POST
@role_required(Role.STAFF)
def opinion_assign(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = get_opinion_for_user(request.user, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _failed(request, opinion, ValidationError("请选择承办单位。"))
    try:
        services.assign_opinion(
            actor=request.user,
            opinion=opinion,
            unit=form.cleaned_data["unit"],
            is_complex=form.cleaned_data["is_complex"],
            note=form.cleaned_data["note"],
            expected_state=request.POST.get("expected_state") or None,
        )
    except ValidationError as error:
        return _failed(request, opinion, error)
    return _done(request, opinion, f"已交办{form.cleaned_data['unit'].name}")


def _reply_like(request: HttpRequest, pk: int, *, answer: bool) -> HttpResponse:
    opinion = get_opinion_for_user(request.user, pk)
    form = ReplyForm(request.POST, prefix="answer" if answer else None)
    if not form.is_valid():
        return _failed(request, opinion, ValidationError("请选择答复类别并填写答复内容。"))
    service = services.answer_opinion if answer else services.reply_opinion
    try:
        service(
            actor=request.user,
            opinion=opinion,
            reply=form.cleaned_data["reply"],
            reply_class=form.cleaned_data["reply_class"],
            expected_state=request.POST.get("expected_state") or None,
        )
    except ValidationError as error:
        return _failed(request, opinion, error)
    return _done(request, opinion, "已答复")


@require_POST
@role_required(Role.HANDLING_OFFICER)
def opinion_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _reply_like(request, pk, answer=False)


@require_POST
@role_required(Role.STAFF)
def opinion_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _reply_like(request, pk, answer=True)


@require_POST
@role_required(Role.STAFF)
def opinion_convert(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = get_opinion_for_user(request.user, pk)
    form = ConvertForm(request.POST, station=opinion.station)
    if not form.is_valid():
        return _failed(request, opinion, ValidationError("请选择提出建议的代表。"))
    try:
        services.convert_opinion(
            actor=request.user,
            opinion=opinion,
            deputy=form.cleaned_data["deputy"],
            suggestion_id=form.cleaned_data["suggestion_id"],
            note=form.cleaned_data["note"],
            expected_state=request.POST.get("expected_state") or None,
        )
    except ValidationError as error:
        return _failed(request, opinion, error)
    return _done(request, opinion, "已转为代表建议")


@require_POST
@role_required(Role.STAFF)
def opinion_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """回访: the station records the rating the constituent gave by telephone."""
    opinion = get_opinion_for_user(request.user, pk)
    form = RateForm(request.POST)
    if not form.is_valid():
        return _failed(request, opinion, ValidationError("请选择群众的评价。"))
    try:
        services.rate_opinion(
            actor=request.user,
            opinion=opinion,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            expected_state=request.POST.get("expected_state") or None,
        )
    except ValidationError as error:
        return _failed(request, opinion, error)
    return _done(request, opinion, "已记录群众评价")


@role_required(*OPINION_ROLES)
def opinion_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(OpinionAttachment, pk=pk)
    get_opinion_for_user(request.user, item.opinion_id)
    return FileResponse(  # type: ignore[return-value]
        item.file.open("rb"), as_attachment=True, filename=item.name
    )
