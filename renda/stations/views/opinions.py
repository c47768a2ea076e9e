"""Receptions and constituent opinions on the staff side: entering a reception on a phone,
the opinion list (scoped: county staff all, a clerk their stations, a unit its items), the
detail page with the workflow timeline, and one view per workflow step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.exports import Column, export_xlsx
from renda.core.forms import attempt
from renda.core.params import int_param, parse_int
from renda.core.roles import Role, role_required
from renda.core.sources import sources_of
from renda.core.workflow import TransitionForm, overdue_q, page_context
from renda.suggestions.forms import SuggestionForm

from .. import services
from ..forms import (
    AssignForm,
    ConvertForm,
    OpinionFilterForm,
    RateForm,
    ReceptionForm,
    ReplyForm,
)
from ..models import Opinion, OpinionAttachment
from ..permissions import (
    can_see_contact,
    can_work_on_opinion,
    get_opinion_for_user,
    get_opinion_to_draft,
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
def reception_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    station = get_station_for_user(request.user, pk, write=True)
    form = ReceptionForm(request.POST or None, request.FILES or None, station=station)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reception = attempt(
            form,
            lambda: services.record_reception(actor=request.user, station=station, **data),
        )
        if reception is not None:
            if data["as_opinion"]:
                messages.success(request, _reception_receipt(reception.opinion))
            else:
                messages.success(request, "已登记接待。")
            return redirect("stations:reception_create", station.pk)
    return render(request, "stations/reception_form.html", {"form": form, "station": station})


def _reception_receipt(opinion: Opinion) -> str:
    """The one moment the registering clerk sees the constituent's two codes: to hand them
    over (回执). They appear on no page, list or export afterwards."""
    return (
        f"已登记，并生成社情民意 {opinion.number}。请把回执交给群众：查询码 "
        f"{opinion.formatted_code}，评价码 {opinion.formatted_rating_code}"
        "（评价码只显示这一次，凭它在网上评价办理结果）。"
    )


@role_required(Role.STAFF, Role.SC_MEMBER)
def reception_list(request: AuthenticatedRequest) -> HttpResponse:
    qs = (
        receptions_for(request.user)
        .select_related("station", "deputy")
        .defer("constituent_name", "constituent_phone")
    )
    station = int_param(request.GET, "station")
    if station is not None:
        qs = qs.filter(station_id=station)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "stations/reception_list.html", {"page": page, "query": query.urlencode()}
    )


@role_required(Role.STAFF, Role.SC_MEMBER)
def reception_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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


def _filtered(request: AuthenticatedRequest) -> tuple[OpinionFilterForm, QuerySet[Opinion]]:
    user = request.user
    stations = None if user.role == Role.HANDLING_OFFICER else stations_for(user).order_by("code")
    form = OpinionFilterForm(request.GET or None, stations=stations)
    qs = opinions_for(user)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            qs = qs.filter(_search(data["q"]))
        if data.get("state"):
            qs = qs.filter(state=data["state"])
        if data.get("station"):
            qs = qs.filter(station=data["station"])
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("overdue"):
            qs = qs.filter(overdue_q(OPINION))
    return form, qs


def _search(text: str) -> Q:
    """编号 (MY000123, or its digits) or the tracking code a constituent reads out."""
    value = services.normalise_code(text)
    number = parse_int(value.removeprefix("MY"), low=1)
    found = Q(tracking_code=value)
    return found | Q(pk=number) if number is not None else found


def _list_qs(qs: QuerySet[Opinion]) -> QuerySet[Opinion]:
    # Contact columns never leave the database for a list; content only as needed.
    return qs.select_related("station", "unit").defer("contact_name", "contact_phone", "reply")


@role_required(*OPINION_ROLES)
def opinion_list(request: AuthenticatedRequest) -> HttpResponse:
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
            "is_unit": request.user.role == Role.HANDLING_OFFICER,
        },
    )


def _local(value: dt.datetime | None, fmt: str) -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


OPINION_COLUMNS: list[Column[Opinion]] = [
    Column("编号", lambda o: o.number),
    Column("收到时间", lambda o: _local(o.created_at, "%Y-%m-%d %H:%M")),
    Column("来源", lambda o: o.get_source_display()),
    Column("站点", lambda o: o.station.name if o.station else ""),
    Column("类别", lambda o: o.get_category_display()),
    Column("内容", lambda o: o.content),
    Column("状态", lambda o: o.get_state_display()),
    Column("承办单位", lambda o: o.unit.name if o.unit else ""),
    Column("办理期限", lambda o: _local(o.due_at, "%Y-%m-%d")),
    Column("答复类别", lambda o: o.get_reply_class_display()),
    Column("群众评价", lambda o: o.get_rating_display()),
    Column("评价验证方式", lambda o: o.get_rating_auth_display()),
]


@role_required(*OPINION_ROLES)
def opinion_export(request: AuthenticatedRequest) -> HttpResponse:
    _, qs = _filtered(request)
    return export_xlsx(
        title="社情民意",
        columns=OPINION_COLUMNS,
        rows=_list_qs(qs).order_by("-created_at").iterator(chunk_size=2000),
        actor=request.user,
        action="opinion.export",
    )


def suggestion_url(opinion: Opinion) -> str:
    """The page of the suggestion the opinion became, if it became one."""
    pk = services.suggestion_of(opinion)
    return reverse("suggestions:detail", args=[pk]) if pk is not None else ""


@role_required(*OPINION_ROLES)
def opinion_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
            "sources": sources_of(opinion),
            "assign_form": AssignForm() if names & {"assign", "assign_complex"} else None,
            "answer_form": ReplyForm(prefix="answer") if "answer" in names else None,
            "reply_form": ReplyForm() if "reply" in names else None,
            "convert_form": ConvertForm(station=opinion.station) if "convert" in names else None,
            "rate_form": RateForm() if station_side and "rate_satisfied" in names else None,
            "is_unit": is_officer_of_unit(user, opinion.unit_id),
        }
    )
    return render(request, "stations/opinion_detail.html", context)


def _failed(
    request: AuthenticatedRequest, opinion: Opinion, error: ValidationError
) -> HttpResponse:
    messages.error(request, "；".join(error.messages))
    return redirect("stations:opinion_detail", opinion.pk)


def _step(
    request: AuthenticatedRequest, opinion: Opinion, call: Callable[[], Opinion], text: str
) -> HttpResponse:
    """Like core.actions.run_action, but the message names the state the step led to."""
    try:
        call()
    except ValidationError as error:
        return _failed(request, opinion, error)
    messages.success(request, f"{text}，当前状态：{opinion.get_state_display()}。")
    return redirect("stations:opinion_detail", opinion.pk)


@require_POST
@role_required(*OPINION_ROLES)
def opinion_step(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The plain buttons (reject, return, relay, feedback, close)."""
    opinion = get_opinion_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "操作请求不完整，请刷新页面后重试。")
        return redirect("stations:opinion_detail", opinion.pk)
    data = form.cleaned_data
    step = OPINION.transition(data["transition"])
    return _step(  # TransitionNotAllowed is a ValidationError too
        request,
        opinion,
        lambda: services.take_step(
            actor=request.user,
            opinion=opinion,
            transition=data["transition"],
            note=data["note"],
            expected_state=data["expected_state"] or None,
        ),
        f"已{step.label if step else '办理'}",
    )


@require_POST
@role_required(Role.STAFF)
def opinion_assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opinion = get_opinion_for_user(request.user, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _failed(request, opinion, ValidationError("请选择承办单位。"))
    data = form.cleaned_data
    return _step(
        request,
        opinion,
        lambda: services.assign_opinion(
            actor=request.user,
            opinion=opinion,
            unit=data["unit"],
            is_complex=data["is_complex"],
            note=data["note"],
            expected_state=request.POST.get("expected_state") or None,
        ),
        f"已交办{data['unit'].name}",
    )


def _reply_like(request: AuthenticatedRequest, pk: int, *, answer: bool) -> HttpResponse:
    opinion = get_opinion_for_user(request.user, pk)
    form = ReplyForm(request.POST, prefix="answer" if answer else None)
    if not form.is_valid():
        return _failed(request, opinion, ValidationError("请选择答复类别并填写答复内容。"))
    service = services.answer_opinion if answer else services.reply_opinion
    return _step(
        request,
        opinion,
        lambda: service(
            actor=request.user,
            opinion=opinion,
            reply=form.cleaned_data["reply"],
            reply_class=form.cleaned_data["reply_class"],
            expected_state=request.POST.get("expected_state") or None,
        ),
        "已答复",
    )


@require_POST
@role_required(Role.HANDLING_OFFICER)
def opinion_reply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _reply_like(request, pk, answer=False)


@require_POST
@role_required(Role.STAFF)
def opinion_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _reply_like(request, pk, answer=True)


@require_POST
@role_required(Role.STAFF)
def opinion_convert(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opinion = get_opinion_for_user(request.user, pk)
    form = ConvertForm(request.POST, station=opinion.station)
    if not form.is_valid():
        return _failed(request, opinion, ValidationError("请选择提出建议的代表。"))
    return _step(
        request,
        opinion,
        lambda: services.convert_opinion(
            actor=request.user,
            opinion=opinion,
            deputy=form.cleaned_data["deputy"],
            suggestion=form.cleaned_data["suggestion_id"],
            note=form.cleaned_data["note"],
            expected_state=request.POST.get("expected_state") or None,
        ),
        "已转为代表建议",
    )


@require_POST
@role_required(Role.STAFF)
def opinion_rate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """回访: the station records the rating the constituent gave by telephone."""
    opinion = get_opinion_for_user(request.user, pk)
    form = RateForm(request.POST)
    if not form.is_valid():
        return _failed(request, opinion, ValidationError("请选择群众的评价。"))
    return _step(
        request,
        opinion,
        lambda: services.rate_opinion(
            actor=request.user,
            opinion=opinion,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            expected_state=request.POST.get("expected_state") or None,
        ),
        "已记录群众评价",
    )


@role_required(*OPINION_ROLES)
def opinion_attachment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(OpinionAttachment, pk=pk)
    get_opinion_for_user(request.user, item.opinion_id)
    return FileResponse(  # type: ignore[return-value]
        item.file.open("rb"), as_attachment=True, filename=item.name
    )


@role_required(Role.DEPUTY)
def opinion_draft_suggestion(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """据此起草建议: the deputy an opinion was converted to drafts a suggestion from it, the
    form filled in with the opinion's content; once only."""
    opinion = get_opinion_to_draft(request.user, pk)
    form = SuggestionForm(request.POST or None, initial={"content": opinion.content})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        suggestion = attempt(
            form,
            lambda: services.draft_suggestion(
                actor=request.user,
                opinion=opinion,
                title=data["title"],
                content=data["content"],
                allow_public=data["allow_public"],
            ),
        )
        if suggestion is not None:
            messages.success(request, "草稿已保存。可以邀请其他代表联名、添加附件，然后提交。")
            return redirect("suggestions:detail", suggestion.pk)
    return render(
        request,
        "stations/opinion_draft.html",
        {"form": form, "title": "提出建议", "opinion": opinion},
    )
