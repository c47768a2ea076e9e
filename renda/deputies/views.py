from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from renda.accounts.models import Role
from renda.accounts.permissions import role_required
from renda.core.fields import make_blind_index
from renda.lib.excel import xlsx_response
from renda.lib.idcard import is_mobile

from .forms import DeputyFilterForm
from .models import Deputy
from .permissions import can_see_contact_data, get_deputy_for_user
from .selectors import staff_deputies


def _filtered(request: HttpRequest) -> tuple[DeputyFilterForm, QuerySet[Deputy]]:
    form = DeputyFilterForm(request.GET or None)
    qs = staff_deputies()
    if form.is_valid():
        d = form.cleaned_data
        if q := d["q"].strip():
            # Exact search on encrypted numbers goes through their blind indexes.
            if is_mobile(q):
                qs = qs.filter(mobile_index=make_blind_index(q))
            elif len(q) == 18:
                qs = qs.filter(id_number_index=make_blind_index(q))
            else:
                qs = qs.filter(name__contains=q)
        if d["level"]:
            qs = qs.filter(term__level=d["level"])
        if d["region"]:
            qs = qs.filter(region=d["region"])
        if d["delegation"]:
            qs = qs.filter(delegation__name__contains=d["delegation"])
        if d["category"]:
            qs = qs.filter(category=d["category"])
        if d["status"]:
            qs = qs.filter(status=d["status"])
        if d["term"]:
            qs = qs.filter(term=d["term"])
    return form, qs


@role_required(Role.STAFF, Role.SC_MEMBER)
def deputy_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "deputies/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "can_manage": can_see_contact_data(request.user)},
    )


@role_required(Role.STAFF, Role.SC_MEMBER)
def deputy_export(request: HttpRequest) -> HttpResponse:
    _, qs = _filtered(request)
    headers = ["姓名", "性别", "民族", "出生日期", "政治面貌", "学历", "工作单位", "职务", "代表构成",
               "层级", "乡镇（街道）", "代表团（组）", "进站联络站", "状态"]
    rows = (
        [d.name, d.get_gender_display(), d.ethnicity, d.birth_date, d.party, d.education, d.employer,
         d.occupation, d.get_category_display(), d.term.get_level_display(), d.region.name,
         d.delegation.name if d.delegation else "", d.station.name if d.station else "", d.get_status_display()]
        for d in qs.iterator(chunk_size=2000)
    )
    return xlsx_response("代表名册", headers, rows, filename=f"代表名册-{timezone.localdate():%Y%m%d}.xlsx")


@role_required(Role.STAFF, Role.SC_MEMBER, Role.DEPUTY)
def deputy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deputy = get_deputy_for_user(request.user, pk)
    memberships = deputy.memberships.select_related("organization")
    return render(
        request, "deputies/detail.html",
        {"deputy": deputy, "memberships": memberships, "show_contact": can_see_contact_data(request.user) or deputy.user_id == request.user.pk},
    )
