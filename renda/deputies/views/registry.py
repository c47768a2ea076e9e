"""Deputy registry pages. Each view: decorators → permission-checked fetch → form → one
service call → redirect or render (docs/architecture.md §4.2)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from renda.accounts.permissions import AuthenticatedRequest, can_view_deputies
from renda.core.exports import Column, export_xlsx
from renda.core.forms import add_service_errors
from renda.core.roles import Role, role_required

from .. import services
from ..extensions import facts
from ..forms import (
    EDUCATION_SUGGESTIONS,
    PARTY_SUGGESTIONS,
    ROLE_SUGGESTIONS,
    DeputyFilterForm,
    DeputyForm,
    EndMandateForm,
    EndMembershipForm,
    MembershipForm,
)
from ..models import Deputy
from ..permissions import (
    can_add_membership,
    can_create_account,
    can_create_deputy,
    can_edit_deputy,
    can_end_mandate,
    can_end_membership,
    can_see_contact_data,
    get_deputy_for_user,
    get_membership_for_user,
    get_own_deputy,
)
from ..selectors import (
    deputy_memberships,
    deputy_timeline,
    deputy_totals,
    filter_staff_deputies,
    number_kind,
    search_token,
    staff_deputies,
)
from ..selectors.reports import duty_panels

PAGE_SIZE = 50
REGISTER_COLUMNS: list[Column[Deputy]] = [
    Column("姓名", lambda d: d.name),
    Column("性别", lambda d: d.get_gender_display()),
    Column("民族", lambda d: d.ethnicity),
    Column("出生日期", lambda d: d.birth_date),
    Column("政治面貌", lambda d: d.party),
    Column("学历", lambda d: d.education),
    Column("工作单位", lambda d: d.employer),
    Column("职务", lambda d: d.occupation),
    Column("代表构成", lambda d: d.get_category_display()),
    Column("层级", lambda d: d.term.get_level_display()),
    Column("乡镇（街道）", lambda d: d.region.name),
    Column("代表团（组）", lambda d: d.delegation.name if d.delegation else ""),
    Column("状态", lambda d: d.get_status_display()),
]


def register_columns() -> list[Column[Deputy]]:
    """The register's columns, with the facts other apps keep before the status."""
    extra = [Column(fact.label, fact.display) for fact in facts()]
    return [*REGISTER_COLUMNS[:-1], *extra, REGISTER_COLUMNS[-1]]


# Service error keys that the deputy form shows under another name.
FORM_ALIASES = {"user": "username"}


def _filtered(query: QueryDict) -> tuple[DeputyFilterForm, QuerySet[Deputy]]:
    form = DeputyFilterForm(query or None)
    qs = staff_deputies()
    if form.is_valid():
        qs = filter_staff_deputies(qs, form.cleaned_data)
    return form, qs


def _query_without_numbers(source: QueryDict) -> QueryDict:
    """The filters as a query string fit for a URL: a searched mobile or ID number becomes its
    blind-index token, so the number is not written to access logs or browser history."""
    query = source.copy()
    for key in ("csrfmiddlewaretoken", "page"):
        query.pop(key, None)
    q = query.get("q", "").strip()
    if q:
        # A new search replaces an earlier search by number.
        query.pop("qi", None)
    if number_kind(q):
        query.pop("q")
        query["qi"] = search_token(q)
    return query


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF, Role.SC_MEMBER)
@sensitive_post_parameters("q")
def deputy_list(request: AuthenticatedRequest) -> HttpResponse:
    # The filter form is posted, then redirected to a GET without the number (PRG).
    if request.method == "POST" or number_kind(request.GET.get("q", "")):
        source = request.POST if request.method == "POST" else request.GET
        return redirect(f"{reverse('deputies:list')}?{_query_without_numbers(source).urlencode()}")
    form, qs = _filtered(request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = _query_without_numbers(request.GET)
    return render(
        request,
        "deputies/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "totals": deputy_totals(qs),
            "by_number": bool(request.GET.get("qi")),
            "can_create": can_create_deputy(request.user),
        },
    )


@role_required(Role.STAFF, Role.SC_MEMBER)
def deputy_export(request: AuthenticatedRequest) -> HttpResponse:
    _, qs = _filtered(request.GET)
    # A register of personal data left the system: record who took it, and with which filters
    # (a searched number is recorded only as "by number", never as the number).
    filters = {k: v for k, v in _query_without_numbers(request.GET).items() if v and k != "qi"}
    return export_xlsx(
        title="代表名册",
        columns=register_columns(),
        rows=qs.iterator(chunk_size=2000),
        actor=request.user,
        action="deputy.export",
        details={
            "filters": filters,
            "by_number": "qi" in request.GET or bool(number_kind(request.GET.get("q", ""))),
        },
    )


@role_required(Role.STAFF, Role.SC_MEMBER, Role.DEPUTY)
def deputy_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deputy = get_deputy_for_user(request.user, pk)
    if not can_view_deputies(request.user):
        # A deputy reading their own record gets the page made for them.
        return redirect("deputies:me")
    memberships = list(deputy_memberships(deputy))
    user = request.user
    year = timezone.localdate().year
    return render(
        request,
        "deputies/detail.html",
        {
            "deputy": deputy,
            "memberships": [(m, can_end_membership(user, m)) for m in memberships],
            "timeline": deputy_timeline(deputy, memberships),
            "show_contact": can_see_contact_data(user, deputy),
            "can_edit": can_edit_deputy(user, deputy),
            "can_end": can_end_mandate(user, deputy),
            "can_add_membership": can_add_membership(user, deputy),
            "can_create_account": can_create_account(user, deputy),
            "year": year,
            "panels": duty_panels(deputy, year),
        },
    )


@role_required(Role.DEPUTY)
def deputy_me(request: AuthenticatedRequest) -> HttpResponse:
    """本人档案: the deputy's own record on a phone."""
    try:
        deputy = get_own_deputy(request.user)
    except Http404:
        return render(request, "deputies/me_missing.html", status=404)
    memberships = list(deputy_memberships(deputy))
    return render(
        request,
        "deputies/me.html",
        {
            "deputy": deputy,
            "memberships": memberships,
            "timeline": deputy_timeline(deputy, memberships),
            "show_contact": can_see_contact_data(request.user, deputy),
        },
    )


def _form_page(
    request: AuthenticatedRequest, template: str, context: dict[str, object]
) -> HttpResponse:
    context.setdefault("party_suggestions", PARTY_SUGGESTIONS)
    context.setdefault("education_suggestions", EDUCATION_SUGGESTIONS)
    context.setdefault("role_suggestions", ROLE_SUGGESTIONS)
    return render(request, template, context)


@role_required(Role.STAFF)
@sensitive_post_parameters("id_number", "mobile")
def deputy_create(request: AuthenticatedRequest) -> HttpResponse:
    form = DeputyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deputy = services.create_deputy(
                actor=request.user, term=form.cleaned_data["term"], **form.deputy_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error, FORM_ALIASES)
        else:
            messages.success(request, f"已登记代表 {deputy.name}。")
            return redirect("deputies:detail", deputy.pk)
    return _form_page(request, "deputies/form.html", {"form": form, "deputy": None})


@role_required(Role.STAFF)
@sensitive_post_parameters("id_number", "mobile")
def deputy_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deputy = get_deputy_for_user(request.user, pk, write=True)
    name = deputy.name  # the page title, even if a failed update touched the instance
    form = DeputyForm(request.POST or None, deputy=deputy)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_deputy(actor=request.user, deputy=deputy, **form.deputy_fields())
        except ValidationError as error:
            add_service_errors(form, error, FORM_ALIASES)
        else:
            messages.success(request, f"已保存代表 {deputy.name} 的信息。")
            return redirect("deputies:detail", deputy.pk)
    return _form_page(
        request, "deputies/form.html", {"form": form, "deputy": deputy, "deputy_name": name}
    )


@role_required(Role.STAFF)
def deputy_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """代表资格终止."""
    deputy = get_deputy_for_user(request.user, pk, write=True)
    form = EndMandateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_mandate(
                actor=request.user,
                deputy=deputy,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["end_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"代表 {deputy.name} 的代表资格已终止。")
            return redirect("deputies:detail", deputy.pk)
    return render(request, "deputies/end.html", {"form": form, "deputy": deputy})


@role_required(Role.STAFF)
def membership_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    deputy = get_deputy_for_user(request.user, pk, write=True)
    form = MembershipForm(request.POST or None, deputy=deputy)
    allowed = can_add_membership(request.user, deputy)
    if request.method == "POST" and allowed and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_membership(
                actor=request.user,
                deputy=deputy,
                organization=data["organization"],
                role=data["role"].strip(),
                start_date=data["start_date"],
                end_date=data["end_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"已为代表 {deputy.name} 添加任职。")
            return redirect("deputies:detail", deputy.pk)
    return _form_page(
        request,
        "deputies/membership_form.html",
        {"form": form, "deputy": deputy, "allowed": allowed},
    )


@role_required(Role.STAFF)
def membership_end(request: AuthenticatedRequest, pk: int, membership_pk: int) -> HttpResponse:
    deputy = get_deputy_for_user(request.user, pk, write=True)
    membership = get_membership_for_user(request.user, deputy, membership_pk, write=True)
    form = EndMembershipForm(request.POST or None, initial={"end_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_membership(
                actor=request.user, membership=membership, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"已终止 {membership.organization.name}{membership.role} 任职。"
            )
            return redirect("deputies:detail", deputy.pk)
    return render(
        request,
        "deputies/membership_end.html",
        {"form": form, "deputy": deputy, "membership": membership},
    )
