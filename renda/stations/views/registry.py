"""Station registry pages (staff). Each view: decorators → permission-checked fetch → form →
one service call → redirect or render (docs/architecture.md §4.2)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.exports import Column, export_xlsx
from renda.core.forms import attempt
from renda.core.params import int_param, year_param
from renda.core.roles import Role, role_required
from renda.deputies.models import Deputy

from .. import services
from ..forms import (
    ChecklistForm,
    ClerkForm,
    PhotoForm,
    PlanForm,
    StationDeputyForm,
    StationForm,
)
from ..models import AnnualPlan, ChecklistItem, Photo, Station, StationClerk
from ..permissions import (
    can_manage_stations,
    can_work_on_station,
    get_reception_for_user,
    get_station_for_user,
    is_clerk,
    stations_for,
)
from ..rules import rules
from ..selectors import county_figures, deputy_duty_counts, upcoming_slots

PAGE_SIZE = 50
STAFF_SIDE = (Role.STAFF, Role.SC_MEMBER)


@role_required(Role.STAFF, Role.SC_MEMBER, Role.DEPUTY, Role.HANDLING_OFFICER)
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The module's entry: deputies go to their duties, handling units to their opinions,
    a clerk with one station to that station, staff to the overview."""
    user = request.user
    if user.role == Role.DEPUTY:
        return redirect("stations:my_duties")
    if user.role == Role.HANDLING_OFFICER:
        return redirect("stations:opinion_list")
    stations = stations_for(user)
    if is_clerk(user) and stations.count() == 1:
        return redirect("stations:detail", stations.get().pk)
    year = timezone.localdate().year
    ids = None if not is_clerk(user) else list(stations.values_list("pk", flat=True))
    return render(
        request,
        "stations/home.html",
        {
            "year": year,
            "figures": county_figures(year, ids),
            "station_count": stations.filter(is_active=True).count(),
            "kinds": dict(
                stations.filter(is_active=True)
                .values_list("kind")
                .annotate(n=Count("id"))
                .order_by()
            ),
            "can_manage": can_manage_stations(user),
        },
    )


def _station_list_qs(request: AuthenticatedRequest) -> QuerySet[Station]:
    qs = stations_for(request.user).annotate(
        deputy_count=Count("members", filter=Q(members__deputy__status=Deputy.Status.ACTIVE))
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__contains=q) | Q(region__name__contains=q))
    region = int_param(request.GET, "region")
    if region is not None:
        qs = qs.filter(region_id=region)
    return qs.order_by("region__code", "code")


@role_required(*STAFF_SIDE)
def station_list(request: AuthenticatedRequest) -> HttpResponse:
    qs = _station_list_qs(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "stations/list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "q": request.GET.get("q", ""),
            "can_manage": can_manage_stations(request.user),
        },
    )


STATION_COLUMNS: list[Column[Station]] = [
    Column("编号", lambda s: s.code),
    Column("名称", lambda s: s.name),
    Column("类型", lambda s: s.get_kind_display()),
    Column("乡镇（街道）", lambda s: s.region.name),
    Column("地址", lambda s: s.address),
    Column("开放时间", lambda s: s.opening_hours),
    Column("站长", lambda s: s.head_name),
    Column("联系电话", lambda s: s.phone),
    Column("面积（平方米）", lambda s: s.area_m2),
    Column("进站代表数", lambda s: s.deputy_count),  # type: ignore[attr-defined]
    Column("在用", lambda s: "是" if s.is_active else "否"),
]


@role_required(*STAFF_SIDE)
def station_export(request: AuthenticatedRequest) -> HttpResponse:
    return export_xlsx(
        title="代表工作站点",
        columns=STATION_COLUMNS,
        rows=_station_list_qs(request).iterator(chunk_size=1000),
        actor=request.user,
        action="station.export",
    )


@role_required(Role.STAFF)
def station_create(request: AuthenticatedRequest) -> HttpResponse:
    if not can_manage_stations(request.user):
        raise PermissionDenied("只有市人大常委会机关工作人员可以新建站点。")
    form = StationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        station = attempt(
            form, lambda: services.create_station(actor=request.user, **form.cleaned_data)
        )
        if station is not None:
            messages.success(request, f"已登记 {station.name}。")
            return redirect("stations:detail", station.pk)
    return render(
        request,
        "stations/form.html",
        {"form": form, "title": "新建站点", "back_url": reverse("stations:list"), "menu": "list"},
    )


@role_required(Role.STAFF)
def station_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    station = get_station_for_user(request.user, pk, write=True)
    initial = {f: getattr(station, f) for f in services.STATION_FIELDS}
    form = StationForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if not can_manage_stations(request.user):
            # A clerk keeps the station's details current but cannot move or close it.
            fields.pop("region")
            fields.pop("is_active")
        saved = attempt(
            form, lambda: services.update_station(actor=request.user, station=station, **fields)
        )
        if saved is not None:
            messages.success(request, "已保存站点信息。")
            return redirect("stations:detail", station.pk)
    return render(
        request,
        "stations/form.html",
        {
            "form": form,
            "station": station,
            "title": "编辑站点信息",
            "back_url": reverse("stations:detail", args=[station.pk]),
            "menu": "list",
        },
    )


@role_required(*STAFF_SIDE)
def station_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    station = get_station_for_user(request.user, pk)
    user = request.user
    year = timezone.localdate().year
    deputies = list(deputy_duty_counts(year, [station.pk]).order_by("term__level", "name"))
    can_work = can_work_on_station(user, station)
    manage = can_manage_stations(user)
    plan = AnnualPlan.objects.filter(station=station, year=year).first()
    return render(
        request,
        "stations/detail.html",
        {
            "station": station,
            "year": year,
            "figures": county_figures(year, [station.pk]),
            "deputies": deputies,
            "min_duty_days": rules().min_duty_days,
            "clerks": StationClerk.objects.filter(station=station, is_active=True).select_related(
                "user"
            ),
            "checklist": ChecklistItem.objects.filter(station=station).select_related("updated_by"),
            "plan": plan,
            "slots": upcoming_slots(station, timezone.localdate(), published_only=False),
            "photos": Photo.objects.filter(station=station, reception__isnull=True)[:6],
            "can_work": can_work,
            "can_manage": manage,
            "clerk_form": ClerkForm() if manage else None,
            "deputy_form": StationDeputyForm(station=station) if manage else None,
            "photo_form": PhotoForm() if can_work else None,
        },
    )


@require_POST
@role_required(Role.STAFF)
def clerk_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    station = get_station_for_user(request.user, pk, write=True)
    if not can_manage_stations(request.user):
        raise PermissionDenied("只有市人大常委会机关工作人员可以安排联络员。")
    form = ClerkForm(request.POST)
    back = reverse("stations:detail", args=[station.pk])
    if not form.is_valid():
        messages.error(request, "请选择联络员账号。")
        return redirect(back)
    user = form.cleaned_data["user"]
    return run_action(
        request,
        lambda: services.assign_clerk(actor=request.user, station=station, user=user),
        then=back,
        done=f"已安排 {user} 为联络员。",
    )


@require_POST
@role_required(Role.STAFF)
def clerk_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not can_manage_stations(request.user):
        raise PermissionDenied("只有市人大常委会机关工作人员可以调整联络员。")
    clerk = get_object_or_404(StationClerk.objects.select_related("station", "user"), pk=pk)
    return run_action(
        request,
        lambda: services.remove_clerk(actor=request.user, clerk=clerk),
        then=reverse("stations:detail", args=[clerk.station_id]),
        done=f"{clerk.user} 已不再担任联络员。",
    )


@require_POST
@role_required(Role.STAFF)
def deputy_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    station = get_station_for_user(request.user, pk, write=True)
    if not can_manage_stations(request.user):
        raise PermissionDenied("只有市人大常委会机关工作人员可以安排代表进站。")
    form = StationDeputyForm(request.POST, station=station)
    back = reverse("stations:detail", args=[station.pk])
    if not form.is_valid():
        messages.error(request, "请选择本乡镇（街道）的在任代表。")
        return redirect(back)
    deputy = form.cleaned_data["deputy"]
    return run_action(
        request,
        lambda: services.assign_deputy(actor=request.user, station=station, deputy=deputy),
        then=back,
        done=f"{deputy.name} 已进站。",
    )


@require_POST
@role_required(Role.STAFF)
def deputy_remove(request: AuthenticatedRequest, pk: int, deputy_pk: int) -> HttpResponse:
    station = get_station_for_user(request.user, pk, write=True)
    if not can_manage_stations(request.user):
        raise PermissionDenied("只有市人大常委会机关工作人员可以调整进站代表。")
    deputy = get_object_or_404(Deputy, pk=deputy_pk, station_member__station=station)
    return run_action(
        request,
        lambda: services.remove_deputy(actor=request.user, station=station, deputy=deputy),
        then=reverse("stations:detail", args=[station.pk]),
        done=f"{deputy.name} 已调离本站点。",
    )


@role_required(Role.STAFF)
def checklist_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ChecklistItem.objects.select_related("station"), pk=pk)
    station = get_station_for_user(request.user, item.station_id, write=True)
    form = ChecklistForm(
        request.POST or None,
        request.FILES or None,
        initial={"status": item.status, "note": item.note},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = attempt(
            form,
            lambda: services.update_checklist_item(
                actor=request.user,
                item=item,
                status=data["status"],
                note=data["note"],
                evidence=data["evidence"] or None,
            ),
        )
        if saved is not None:
            messages.success(request, f"已更新“{item.get_item_display()}”。")
            return redirect("stations:detail", station.pk)
    return render(
        request,
        "stations/form.html",
        {
            "form": form,
            "station": station,
            "title": f"规范化建设：{item.get_item_display()}",
            "back_url": reverse("stations:detail", args=[station.pk]),
            "menu": "list",
        },
    )


@role_required(*STAFF_SIDE)
def checklist_evidence(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ChecklistItem, pk=pk)
    get_station_for_user(request.user, item.station_id)
    if not item.evidence:
        raise Http404
    return FileResponse(  # type: ignore[return-value]
        item.evidence.open("rb"), filename=item.evidence.name.rsplit("/", 1)[-1]
    )


@role_required(Role.STAFF)
def plan_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    station = get_station_for_user(request.user, pk, write=True)
    year = year_param(request.GET) or year_param(request.POST) or timezone.localdate().year
    plan = AnnualPlan.objects.filter(station=station, year=year).first()
    initial = {
        "year": year,
        "content": plan.content if plan else "",
        "reception_days": plan.reception_days if plan else 12,
    }
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _saved_plan(request, station, form):
        messages.success(request, f"已保存 {form.cleaned_data['year']} 年度工作计划。")
        return redirect("stations:detail", station.pk)
    return render(
        request,
        "stations/form.html",
        {
            "form": form,
            "station": station,
            "title": "年度工作计划",
            "back_url": reverse("stations:detail", args=[station.pk]),
            "menu": "list",
        },
    )


def _saved_plan(request: AuthenticatedRequest, station: Station, form: PlanForm) -> bool:
    data = form.cleaned_data
    saved = attempt(
        form, lambda: services.save_annual_plan(actor=request.user, station=station, **data)
    )
    return saved is not None


@require_POST
@role_required(Role.STAFF)
def photo_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    station = get_station_for_user(request.user, pk, write=True)
    form = PhotoForm(request.POST, request.FILES)
    back = reverse("stations:detail", args=[station.pk])
    if not form.is_valid():
        messages.error(request, "请选择要上传的照片。")
        return redirect(back)
    data = form.cleaned_data
    return run_action(
        request,
        lambda: services.add_photo(
            actor=request.user, station=station, image=data["image"], caption=data["caption"]
        ),
        then=back,
        done="已上传照片。",
    )


def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A station's photos are public (the portal shows them); a reception's photos only to
    those who may read the reception."""
    item = get_object_or_404(Photo, pk=pk)
    if item.reception_id is not None:
        if not request.user.is_authenticated:
            raise Http404
        get_reception_for_user(request.user, item.reception_id)
    response = FileResponse(item.image.open("rb"))
    response["Content-Type"] = (
        "image/png" if item.image.name.lower().endswith(".png") else "image/jpeg"
    )
    response["Cache-Control"] = "private, max-age=3600" if item.reception_id else "max-age=3600"
    return response
