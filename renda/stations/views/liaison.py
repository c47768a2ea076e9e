"""双联 pages (issue 15 item 3): staff's coverage and link maintenance, the SC member's and the
deputy's own lists on a phone, logging a contact, and turning what was raised into a
constituent opinion or a suggestion draft in one step."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.models import User
from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.exports import Column, export_xlsx
from renda.core.forms import attempt
from renda.core.params import int_param, year_param
from renda.core.roles import Duty, Role, duty_required, has_role, role_required

from ..forms.liaison import (
    ConstituentForm,
    ContactForm,
    LinkForm,
    RuleForm,
    ToOpinionForm,
    ToSuggestionForm,
)
from ..models.liaison import LiaisonRule
from ..permissions import (
    can_draft_from_contact,
    can_work_on_contact,
    constituents_for,
    contacts_for,
    get_constituent_for_user,
    get_contact_for_user,
    get_liaison_deputy_for_user,
    get_link_for_user,
    sc_links_for,
)
from ..selectors.liaison import (
    Quarter,
    constituents_with_contacts,
    deputy_coverage,
    links_with_contacts,
    member_coverage,
    uncontacted_constituents,
    uncontacted_links,
)
from ..services import liaison as services

PAGE_SIZE = 50


def _quarter(request: AuthenticatedRequest) -> Quarter:
    today = Quarter.of(timezone.localdate())
    year = year_param(request.GET, default=today.year) or today.year
    number = int_param(request.GET, "q", low=1, high=4, default=today.number) or today.number
    return Quarter(year, number)


@role_required(Role.STAFF, Role.SC_MEMBER, Role.DEPUTY)
def home(request: AuthenticatedRequest) -> HttpResponse:
    """双联's entry: staff to coverage, SC members and deputies to their own lists."""
    if request.user.role == Role.STAFF:
        return redirect("stations:liaison_coverage")
    return redirect("stations:liaison_mine")


# --- staff: coverage, rule, links -------------------------------------------------------


@role_required(Role.STAFF)
def coverage(request: AuthenticatedRequest) -> HttpResponse:
    quarter = _quarter(request)
    minimum = services.min_constituents(quarter.end)
    only_gaps = request.GET.get("gaps") == "1"
    deputies = deputy_coverage(quarter, minimum, only_gaps=only_gaps)
    page = Paginator(deputies, PAGE_SIZE).get_page(request.GET.get("page"))
    members = member_coverage(quarter)
    query = f"year={quarter.year}&q={quarter.number}" + ("&gaps=1" if only_gaps else "")
    return render(
        request,
        "stations/liaison/coverage.html",
        {
            "menu": "liaison",
            "quarter": quarter,
            "minimum": minimum,
            "members": members,
            "member_totals": {
                "links": sum(m.links for m in members),
                "uncontacted": sum(len(m.uncontacted) for m in members),
            },
            "page": page,
            "only_gaps": only_gaps,
            "query": query,
            "rules": LiaisonRule.objects.all()[:5],
        },
    )


def _export_rows(quarter: Quarter) -> Any:
    for link in uncontacted_links(quarter).iterator(chunk_size=1000):
        yield ("常委会组成人员联系代表", link.member.name, link.deputy.name, "", "", link)
    for c in uncontacted_constituents(quarter).iterator(chunk_size=1000):
        yield ("代表联系群众", "", c.deputy.name, c.name, c.community, c)


EXPORT_COLUMNS: list[Column[Any]] = [
    Column("类别", lambda r: r[0]),
    Column("常委会组成人员", lambda r: r[1]),
    Column("代表", lambda r: r[2]),
    Column("联系群众", lambda r: r[3]),
    Column("村（社区）", lambda r: r[4]),
    Column("最近联系日期", lambda r: r[5].last_contact or "从未联系"),
]


@role_required(Role.STAFF)
def export(request: AuthenticatedRequest) -> HttpResponse:
    """The links with no contact in the quarter, both kinds, as Excel."""
    quarter = _quarter(request)
    return export_xlsx(
        title=f"双联未联系-{quarter.year}Q{quarter.number}",
        columns=EXPORT_COLUMNS,
        rows=_export_rows(quarter),
        actor=request.user,
        action="liaison.export",
        details={"filters": {"year": quarter.year, "q": quarter.number}},
        filename=f"双联本季度未联系-{quarter.year}年第{quarter.number}季度.xlsx",
    )


@duty_required(Duty.STATIONS)
def rule(request: AuthenticatedRequest) -> HttpResponse:
    form = RuleForm(
        request.POST or None,
        initial={
            "min_constituents": services.min_constituents(),
            "valid_from": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form, lambda: services.set_min_constituents(actor=request.user, **form.cleaned_data)
        )
        if saved is not None:
            messages.success(request, f"已设定：{saved}。")
            return redirect("stations:liaison_coverage")
    return render(
        request,
        "stations/liaison/form.html",
        {
            "form": form,
            "title": "代表联系群众最低人数",
            "back_url": reverse("stations:liaison_coverage"),
            "staff_menu": True,
        },
    )


@role_required(Role.STAFF)
def member(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One SC member's deputies: add one, a delegation or a township at once, remove."""
    sc_member = get_object_or_404(User, pk=pk, role=Role.SC_MEMBER)
    quarter = Quarter.of(timezone.localdate())
    links = links_with_contacts(quarter, sc_links_for(request.user).filter(member=sc_member))
    return render(
        request,
        "stations/liaison/member.html",
        {
            "menu": "liaison",
            "member": sc_member,
            "links": links,
            "quarter": quarter,
            "form": LinkForm(),
        },
    )


@require_POST
@duty_required(Duty.STATIONS)
def link_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sc_member = get_object_or_404(User, pk=pk, role=Role.SC_MEMBER)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "；".join(str(e) for e in form.errors.get("__all__", ["请选择代表"]))
        )
        return redirect("stations:liaison_member", sc_member.pk)
    return run_action(
        request,
        lambda: _link_and_say(request, sc_member, form),
        then=reverse("stations:liaison_member", args=[sc_member.pk]),
    )


def _link_and_say(request: AuthenticatedRequest, sc_member: User, form: LinkForm) -> None:
    created = services.link_deputies(
        actor=request.user, member=sc_member, deputies=list(form.chosen_deputies())
    )
    if created:
        messages.success(request, f"已安排联系 {len(created)} 名代表。")
    else:
        messages.info(request, "所选代表都已在联系名单中，没有新增。")


@require_POST
@duty_required(Duty.STATIONS)
def link_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    link = get_link_for_user(request.user, pk, write=True)
    return run_action(
        request,
        lambda: services.unlink_deputy(actor=request.user, link=link),
        then=reverse("stations:liaison_member", args=[link.member_id]),
        done=f"已解除与{link.deputy.name}代表的联系关系，以往联系记录保留。",
    )


# --- the SC member's and the deputy's own lists (phone) ----------------------------------


@role_required(Role.SC_MEMBER, Role.DEPUTY)
def mine(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    quarter = Quarter.of(timezone.localdate())
    recent = contacts_for(user).prefetch_related("constituents")[:20]
    if user.role == Role.SC_MEMBER:
        links = links_with_contacts(quarter, sc_links_for(user))
        return render(
            request,
            "stations/liaison/mine_sc.html",
            {"links": links, "quarter": quarter, "recent": recent},
        )
    deputy = getattr(user, "deputy", None)
    if deputy is None:
        return render(request, "stations/liaison/mine_deputy.html", {"deputy": None})
    return _deputy_page(
        request, deputy, quarter, recent, template="stations/liaison/mine_deputy.html"
    )


@role_required(Role.STAFF)
def deputy(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Staff look at (and keep, on the deputy's behalf) one deputy's list."""
    record = get_liaison_deputy_for_user(request.user, pk)
    quarter = Quarter.of(timezone.localdate())
    recent = contacts_for(request.user).filter(deputy=record).prefetch_related("constituents")[:20]
    return _deputy_page(
        request, record, quarter, recent, template="stations/liaison/mine_deputy.html"
    )


def _deputy_page(
    request: AuthenticatedRequest, record: Any, quarter: Quarter, recent: Any, *, template: str
) -> HttpResponse:
    constituents = list(
        constituents_with_contacts(quarter, constituents_for(request.user).filter(deputy=record))
    )
    minimum = services.min_constituents()
    contacted = sum(1 for c in constituents if c.quarter_contacts)  # type: ignore[attr-defined,misc]
    return render(
        request,
        template,
        {
            "deputy": record,
            "quarter": quarter,
            "constituents": constituents,
            "minimum": minimum,
            "met": len(constituents) >= minimum,
            "short": max(0, minimum - len(constituents)),
            "contacted": contacted,
            "uncontacted": len(constituents) - contacted,
            "recent": recent,
            "staff_view": request.user.role == Role.STAFF,
        },
    )


def _back_to_deputy(user: User, deputy_pk: int) -> str:
    if has_role(user, Role.STAFF):
        return reverse("stations:liaison_deputy", args=[deputy_pk])
    return reverse("stations:liaison_mine")


@role_required(Role.STAFF, Role.DEPUTY)
def constituent_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = get_liaison_deputy_for_user(request.user, pk)
    form = ConstituentForm(request.POST or None)
    back = _back_to_deputy(request.user, record.pk)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form,
            lambda: services.add_constituent(
                actor=request.user, deputy=record, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, f"已把{saved.name}加入联系名单。")
            return redirect(back)
    return render(
        request,
        "stations/liaison/form.html",
        {"form": form, "title": "添加联系群众", "back_url": back, "deputy": record},
    )


@role_required(Role.STAFF, Role.DEPUTY)
def constituent_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    constituent = get_constituent_for_user(request.user, pk)
    back = _back_to_deputy(request.user, constituent.deputy_id)
    initial = {f: getattr(constituent, f) for f in ("name", "phone", "community", "note")}
    form = ConstituentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form,
            lambda: services.update_constituent(
                actor=request.user, constituent=constituent, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, "已保存。")
            return redirect(back)
    return render(
        request,
        "stations/liaison/form.html",
        {"form": form, "title": "修改联系群众", "back_url": back, "deputy": constituent.deputy},
    )


@require_POST
@role_required(Role.STAFF, Role.DEPUTY)
def constituent_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    constituent = get_constituent_for_user(request.user, pk)
    return run_action(
        request,
        lambda: services.remove_constituent(actor=request.user, constituent=constituent),
        then=_back_to_deputy(request.user, constituent.deputy_id),
        done="已移出联系名单，以往联系记录保留。",
    )


# --- logging contacts -------------------------------------------------------------------


@role_required(Role.STAFF, Role.DEPUTY)
def contact_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """代表联系群众: a deputy logs a contact with constituents of the list."""
    record = get_liaison_deputy_for_user(request.user, pk)
    form = ContactForm(
        request.POST or None, constituents=constituents_for(request.user).filter(deputy=record)
    )
    back = _back_to_deputy(request.user, record.pk)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form,
            lambda: services.log_constituent_contact(
                actor=request.user, deputy=record, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, "已登记这次联系。反映的问题可以转为群众意见或建议。")
            return redirect("stations:liaison_contact", saved.pk)
    return render(
        request,
        "stations/liaison/form.html",
        {"form": form, "title": "登记联系群众", "back_url": back, "deputy": record},
    )


@role_required(Role.STAFF, Role.SC_MEMBER)
def link_contact_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """常委会组成人员联系代表: the member logs a contact with a linked deputy."""
    link = get_link_for_user(request.user, pk)
    form = ContactForm(request.POST or None)
    back = (
        reverse("stations:liaison_member", args=[link.member_id])
        if request.user.role == Role.STAFF
        else reverse("stations:liaison_mine")
    )
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form,
            lambda: services.log_sc_contact(actor=request.user, link=link, **form.cleaned_data),
        )
        if saved is not None:
            messages.success(request, f"已登记与{link.deputy.name}代表的这次联系。")
            return redirect("stations:liaison_contact", saved.pk)
    return render(
        request,
        "stations/liaison/form.html",
        {"form": form, "title": f"登记联系{link.deputy.name}代表", "back_url": back},
    )


@role_required(Role.STAFF, Role.SC_MEMBER, Role.DEPUTY)
def contact(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_contact_for_user(request.user, pk)
    can_work = can_work_on_contact(request.user, item)
    opinion_id = services.opinion_of(item)
    suggestion_id = services.suggestion_of(item)
    own_deputy = can_draft_from_contact(request.user, item)
    return render(
        request,
        "stations/liaison/contact.html",
        {
            "contact": item,
            "constituents": list(item.constituents.all()),
            "opinion_id": opinion_id,
            "suggestion_id": suggestion_id,
            "can_to_opinion": can_work and bool(item.raised) and opinion_id is None,
            "can_to_suggestion": own_deputy and bool(item.raised) and suggestion_id is None,
            "opinion_form": ToOpinionForm(contact=item),
            "can_open_opinion": has_role(request.user, Role.STAFF, Role.SC_MEMBER),
            "back_url": (
                reverse("stations:liaison_coverage")
                if request.user.role == Role.STAFF
                else reverse("stations:liaison_mine")
            ),
        },
    )


@require_POST
@role_required(Role.STAFF, Role.SC_MEMBER, Role.DEPUTY)
def contact_opinion(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_contact_for_user(request.user, pk)
    if not can_work_on_contact(request.user, item):
        raise PermissionDenied("您无权处理这条联系记录。")
    form = ToOpinionForm(request.POST, contact=item)
    back = reverse("stations:liaison_contact", args=[item.pk])
    if not form.is_valid():
        messages.error(request, "请选择意见的类别。")
        return redirect(back)
    return run_action(
        request,
        lambda: services.contact_to_opinion(actor=request.user, contact=item, **form.cleaned_data),
        then=back,
        done="已转为群众意见，由站点交办、跟踪办理。",
    )


@role_required(Role.DEPUTY)
def contact_suggestion(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_contact_for_user(request.user, pk)
    if not can_draft_from_contact(request.user, item):
        raise PermissionDenied("只有这次联系的代表本人可以据此起草建议。")
    form = ToSuggestionForm(
        request.POST or None, initial={"content": item.raised, "allow_public": True}
    )
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form,
            lambda: services.contact_to_suggestion(
                actor=request.user, contact=item, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, "已存为建议草稿，请修改完善后提交。")
            return redirect("suggestions:detail", saved.pk)
    return render(
        request,
        "stations/liaison/form.html",
        {
            "form": form,
            "title": "据此起草建议",
            "back_url": reverse("stations:liaison_contact", args=[item.pk]),
        },
    )
