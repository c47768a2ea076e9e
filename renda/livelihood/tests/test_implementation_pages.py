"""实施监督 pages: the public progress page (no private data), the unit's report form with
photos, the supervising deputy's phone page, photos served by who may see them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from renda.livelihood.models import Inspection, ProgressPhoto, ProgressReport
from renda.livelihood.services import implementation as services
from renda.livelihood.tests.implementation_factories import (
    a_photo,
    a_plan,
    budget_rows,
    status,
    supervisor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _filled(world: Any) -> Any:
    scene = a_plan(world)
    supervisor(world, scene)
    services.file_report(
        actor=world.handling_officer,
        item=scene.road,
        report_date=dt.date(2026, 5, 1),
        text="人民路路基已完成",
        status=status("main_done"),
        photos=[a_photo()],
    )
    services.record_inspection(
        actor=world.deputy,
        plan=scene.plan,
        kind=Inspection.Kind.COMMENT,
        text="建议夜间施工降低噪音",
        item=scene.road,
        photos=[a_photo("i.png")],
    )
    region = budget_rows(world)
    services.link_funding(
        actor=world.staff, plan=scene.plan, region=region, year=2027, bgt_id="ZB-001"
    )
    return scene


def test_the_public_page_shows_progress_without_private_data(world: Any, client_for: Any) -> None:
    scene = _filled(world)
    page = client_for("anonymous").get(reverse("livelihood:public_plan", args=[scene.plan.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    # road 80% × 1,000,000 + lights 0% × 3,000,000 → 20%
    assert 'data-testid="plan-progress">20%' in html
    assert "人民路路基已完成" in html and "路灯安装" in html
    assert "40.00 万元（400000.50 元）" in html  # spent: 300,000 + 150,000.50 − 50,000
    photo = ProgressPhoto.objects.get(report__isnull=False)
    assert reverse("livelihood:progress_photo", args=[photo.pk]) in html
    for private in ("建议夜间施工降低噪音", "甲公司", "测试handling_officer", "修改", "报送进展"):
        assert private not in html
    listing = client_for("anonymous").get(reverse("livelihood:public_plans")).content.decode()
    assert "城区道路提质改造" in listing


def test_a_draft_plan_is_not_public(world: Any, client_for: Any) -> None:
    scene = a_plan(world, publish=False)
    anon = client_for("anonymous")
    assert anon.get(reverse("livelihood:public_plan", args=[scene.plan.pk])).status_code == 404
    assert "城区道路" not in anon.get(reverse("livelihood:public_plans")).content.decode()


def test_photos_are_served_to_those_who_may_see_them(world: Any, client_for: Any) -> None:
    _filled(world)
    report_photo = ProgressPhoto.objects.get(report__isnull=False)
    inspection_photo = ProgressPhoto.objects.get(inspection__isnull=False)
    anon = client_for("anonymous")
    url = reverse("livelihood:progress_photo", args=[report_photo.pk])
    response = anon.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    url = reverse("livelihood:progress_photo", args=[inspection_photo.pk])
    assert anon.get(url).status_code == 404
    assert client_for("staff").get(url).status_code == 200
    assert client_for("handling_officer").get(url).status_code == 200


def test_the_unit_reports_from_its_phone_and_not_on_another_units_item(
    world: Any, client_for: Any
) -> None:
    scene = a_plan(world)
    officer = client_for("handling_officer")
    url = reverse("livelihood:item_report", args=[scene.road.pk])
    page = officer.get(url)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    response = officer.post(
        url,
        {
            "report_date": "2026-05-02",
            "status": status("building").pk,
            "text": "开始铺设沥青",
            "photos": [a_photo()],
        },
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert report.text == "开始铺设沥青" and report.photos.count() == 1
    scene.road.refresh_from_db()
    assert scene.road.status.key == "building"
    other = reverse("livelihood:item_report", args=[scene.lights.pk])
    assert officer.get(other).status_code == 404
    assert officer.post(other, {"text": "x"}).status_code == 404
    assert ProgressReport.objects.count() == 1


def test_the_supervising_deputy_comments_from_the_phone(world: Any, client_for: Any) -> None:
    scene = a_plan(world)
    supervisor(world, scene)
    deputy = client_for("deputy")
    mine = deputy.get(reverse("livelihood:my_supervision")).content.decode()
    assert "城区道路提质改造" in mine
    url = reverse("livelihood:supervise_plan", args=[scene.plan.pk])
    response = deputy.post(
        url,
        {"kind": "inspection", "visited_on": "2026-05-03", "text": "现场视察，进度正常"},
    )
    assert response.status_code == 302
    assert Inspection.objects.get().text == "现场视察，进度正常"
    other = a_plan(world)
    assert deputy.get(reverse("livelihood:supervise_plan", args=[other.plan.pk])).status_code == 404


def test_the_staff_page_shows_tree_funding_and_comments(world: Any, client_for: Any) -> None:
    scene = _filled(world)
    html = (
        client_for("staff")
        .get(reverse("livelihood:plan_detail", args=[scene.plan.pk]))
        .content.decode()
    )
    assert "建议夜间施工降低噪音" in html and "ZB-001" in html and "400000.50" in html
    assert 'data-testid="item-progress">80%' in html


def test_staff_start_a_plan_for_a_project_the_vote_chose(world: Any, client_for: Any) -> None:
    from renda.livelihood.implementation_forms import PlanForm
    from renda.livelihood.models import Plan
    from renda.livelihood.selectors import chosen_projects
    from renda.livelihood.tests.factories import counted_selection

    hall = counted_selection(world, deputies=5, chosen=2)
    chosen = {c.project_id for c in chosen_projects(hall.vote)}
    offered = {p.pk for p in PlanForm().fields["project"].queryset}  # type: ignore[attr-defined]
    others = {c.project_id for c in hall.candidates} - chosen
    assert offered == chosen and others and not offered & others
    project = next(iter(chosen))
    staff = client_for("staff")
    response = staff.post(reverse("livelihood:plan_create"), {"project": project})
    plan = Plan.objects.get(project_id=project)
    assert response.status_code == 302 and response["Location"] == reverse(
        "livelihood:plan_detail", args=[plan.pk]
    )
    response = staff.post(reverse("livelihood:plan_create"), {"project": next(iter(others))})
    assert response.status_code == 200 and Plan.objects.count() == 1
