"""The blueprint and sitting pages: a blueprint the bank cannot satisfy is refused on the
form with the missing count per row and nothing saved; the live check answers on change;
the sitting page makes papers, forms and the lot, and shows the forms' mean difficulty."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from renda.exams.models import Blueprint, FormLot, Paper, Topic

from .builders import blueprint, enrol_all, nominees, sitting, small_bank

pytestmark = pytest.mark.django_db


def _post(name: str, rows: list[dict[str, Any]], forms: int = 1) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "position_category": "supervisory",
        "parallel_forms": forms,
        "note": "",
        "cells-TOTAL_FORMS": len(rows) + 1,
        "cells-INITIAL_FORMS": 0,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"cells-{index}-{key}"] = value
    data[f"cells-{len(rows)}-section"] = "common"  # a blank row is ignored
    return data


def _row(law: str, kind: str, count: int, section: str = "common") -> dict[str, Any]:
    return {
        "section": section,
        "topic": Topic.objects.get(name=law, parent=None).pk,
        "type": kind,
        "difficulty_min": 1,
        "difficulty_max": 5,
        "count": count,
        "score": "2",
    }


def test_the_form_refuses_an_infeasible_blueprint_with_counts(world: Any, client_for: Any) -> None:
    small_bank(world.staff)
    client = client_for("staff")
    data = _post(
        "太大", [_row("宪法", "single", 6), _row("监察法", "single", 3, "position")], forms=2
    )
    response = client.post(reverse("exams:blueprint_create"), data)
    page = response.content.decode()
    assert response.status_code == 200 and not Blueprint.objects.exists()
    assert "第 1 行" in page and "缺 2 题" in page and "监察委部分" in page
    check = client.post(reverse("exams:blueprint_check"), data).content.decode()
    assert "题库不能满足" in check and "缺 2 题" in check
    data = _post(
        "够用", [_row("宪法", "single", 5), _row("监察法", "single", 2, "position")], forms=2
    )
    assert (
        "题库可以满足 2 套" in client.post(reverse("exams:blueprint_check"), data).content.decode()
    )
    response = client.post(reverse("exams:blueprint_create"), data)
    assert response.status_code == 302
    plan = Blueprint.objects.get(name="够用")
    assert plan.cells.count() == 2 and plan.parallel_forms == 2
    page = client.get(reverse("exams:blueprint_edit", args=[plan.pk])).content.decode()
    assert "题库可以满足 2 套" in page


def test_the_sitting_page_runs_forms_and_the_lot(world: Any, client_for: Any) -> None:
    small_bank(world.staff)
    client = client_for("staff")
    plan = blueprint(world.staff, forms=2)
    response = client.post(
        reverse("exams:sitting_create"),
        {
            "title": "A/B卷考试",
            "starts_at": "2030-01-10T09:00",
            "ends_at": "2030-01-10T11:00",
            "duration_minutes": 90,
            "pass_mark": "27",
            "venue": "三楼会议室",
            "blueprint": plan.pk,
            "mode": "forms",
            "form_count": 2,
            "allowed_networks": "10.12.0.0/16",
        },
    )
    assert response.status_code == 302
    exam = plan.sittings.get()
    enrol_all(world.staff, exam, nominees(2))
    detail = reverse("exams:sitting_detail", args=[exam.pk])
    client.post(reverse("exams:sitting_forms", args=[exam.pk]))
    page = client.get(detail).content.decode()
    assert "平均难度" in page and "A卷" in page and "B卷" in page
    client.post(reverse("exams:sitting_lot", args=[exam.pk]), {"witness": "纪检组"})
    again = client.post(reverse("exams:sitting_lot", args=[exam.pk]), follow=True)
    assert "已经抽过签" in again.content.decode()
    lot = FormLot.objects.get(sitting=exam)
    page = client.get(detail).content.decode()
    assert "抽中" in page and str(lot.seed) in page and "纪检组" in page
    assert Paper.objects.filter(enrolment__sitting=exam, form=lot.form).count() == 2


def test_the_sitting_form_names_a_bad_network(world: Any, client_for: Any) -> None:
    small_bank(world.staff)
    plan = blueprint(world.staff)
    response = client_for("staff").post(
        reverse("exams:sitting_create"),
        {
            "title": "考试",
            "starts_at": "2030-01-10T09:00",
            "ends_at": "2030-01-10T11:00",
            "duration_minutes": 90,
            "pass_mark": "27",
            "venue": "三楼",
            "blueprint": plan.pk,
            "mode": "individual",
            "form_count": 2,
            "allowed_networks": "10.12.3.4/16",
        },
    )
    assert response.status_code == 200
    assert "网段应写作 10.12.0.0/16" in response.content.decode()


def test_individual_papers_from_the_page(world: Any, client_for: Any) -> None:
    small_bank(world.staff)
    exam = sitting(world.staff, blueprint(world.staff))
    enrol_all(world.staff, exam, nominees(3))
    client = client_for("staff")
    client.post(reverse("exams:sitting_papers", args=[exam.pk]))
    assert Paper.objects.filter(enrolment__sitting=exam).count() == 3
    page = client.get(reverse("exams:sitting_detail", args=[exam.pk])).content.decode()
    assert "所有考生都已有试卷" in page and "种子" in page
