"""Blueprint pages (list, edit with a live feasibility check) and the paper actions of a
sitting (generate individual papers, generate parallel forms, draw the lot). Exam
administrators only; nothing here shows a question's content."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import BootstrapForm, attempt
from renda.core.params import int_param
from renda.core.roles import Duty, duty_required

from ..models import Blueprint, PositionCategory, QuestionType, Section, Topic
from ..permissions import (
    SITTINGS_DENIED,
    can_manage_sittings,
    get_blueprint_for_user,
    get_sitting_for_user,
)
from ..services import blueprints as blueprint_services
from ..services import papers as paper_services
from ..services.blueprints import CellSpec

BLANK_ROWS = 3


class BlueprintForm(BootstrapForm):
    name = forms.CharField(label="名称", max_length=100)
    position_category = forms.ChoiceField(label="岗位类别", choices=PositionCategory.choices)
    parallel_forms = forms.IntegerField(
        label="平行卷套数",
        min_value=1,
        max_value=6,
        initial=1,
        help_text="按此套数检查题库（各套不重复）；A/B卷填 2，只出个人卷填 1。",
    )
    note = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class TopicField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.path_label)


class CellForm(BootstrapForm):
    """One row; a row without a count is left out (that is how a row is removed)."""

    section = forms.ChoiceField(label="部分", choices=Section.choices, required=False)
    topic = TopicField(Topic.objects.select_related("parent"), label="法律", required=False)
    type = forms.ChoiceField(label="题型", choices=QuestionType.choices, required=False)
    difficulty_min = forms.IntegerField(label="难度从", min_value=1, max_value=5, required=False)
    difficulty_max = forms.IntegerField(label="难度到", min_value=1, max_value=5, required=False)
    count = forms.IntegerField(label="题数", min_value=1, max_value=200, required=False)
    score = forms.DecimalField(
        label="每题分值", min_value=Decimal("0.5"), max_value=100, decimal_places=2, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("count"):
            for name in ("section", "topic", "type", "score"):
                if not data.get(name):
                    self.add_error(name, "请填写")
        return data

    def spec(self) -> CellSpec | None:
        data = self.cleaned_data
        if not data.get("count"):
            return None
        return CellSpec(
            data["section"],
            data["topic"],
            data["type"],
            data.get("difficulty_min") or 1,
            data.get("difficulty_max") or 5,
            data["count"],
            data["score"],
        )


CellFormSet = forms.formset_factory(CellForm, extra=0, max_num=60, absolute_max=60)


def _require(request: AuthenticatedRequest) -> None:
    if not can_manage_sittings(request.user):
        raise PermissionDenied(SITTINGS_DENIED)


@duty_required(Duty.EXAMS)
def blueprints(request: AuthenticatedRequest) -> HttpResponse:
    _require(request)
    rows = Blueprint.objects.annotate(
        cell_count=Count("cells", distinct=True),
        question_count=Sum("cells__count"),
        sitting_count=Count("sittings", distinct=True),
    ).order_by("name")
    return render(request, "exams/blueprints.html", {"blueprints": rows, "menu": "blueprints"})


def _initial_cells(blueprint: Blueprint | None) -> list[dict[str, Any]]:
    if blueprint is None:
        return []
    return [
        {
            "section": c.section,
            "topic": c.topic_id,
            "type": c.type,
            "difficulty_min": c.difficulty_min,
            "difficulty_max": c.difficulty_max,
            "count": c.count,
            "score": c.score,
        }
        for c in blueprint.cells.all()
    ]


def _specs(formset: Any) -> list[CellSpec]:
    return [s for f in formset.forms if (s := f.spec()) is not None]


def _checks(specs: list[CellSpec], forms_needed: int, category: str) -> dict[str, Any]:
    checks = blueprint_services.feasibility(specs, forms=forms_needed, category=category)
    return {
        "checks": checks,
        "forms_needed": forms_needed,
        "overlaps": blueprint_services.overlaps(specs),
        "all_ok": bool(checks) and not any(c.missing for c in checks),
        "total_count": sum(s.count for s in specs),
        "total_score": sum((s.score * s.count for s in specs), Decimal(0)),
    }


def _blueprint_page(request: AuthenticatedRequest, blueprint: Blueprint | None) -> HttpResponse:
    initial_cells = _initial_cells(blueprint)
    rows = max(int_param(request.GET, "rows", high=60) or 0, len(initial_cells) + BLANK_ROWS)
    initial = (
        {
            "name": blueprint.name,
            "position_category": blueprint.position_category,
            "parallel_forms": blueprint.parallel_forms,
            "note": blueprint.note,
        }
        if blueprint
        else {"parallel_forms": 1}
    )
    form = BlueprintForm(request.POST or None, initial=initial)
    cells = CellFormSet(
        request.POST or None,
        initial=initial_cells + [{"section": Section.COMMON}] * (rows - len(initial_cells)),
        prefix="cells",
    )
    if request.method == "POST" and form.is_valid() and cells.is_valid():
        saved = attempt(
            form,
            lambda: blueprint_services.save_blueprint(
                actor=request.user,
                blueprint=blueprint,
                name=form.cleaned_data["name"],
                position_category=form.cleaned_data["position_category"],
                parallel_forms=form.cleaned_data["parallel_forms"],
                note=form.cleaned_data["note"],
                cells=_specs(cells),
            ),
        )
        if saved is not None:
            messages.success(request, f"已保存组卷规则“{saved.name}”，题库可以满足。")
            return redirect("exams:blueprint_edit", saved.pk)
    context: dict[str, Any] = {
        "form": form,
        "cells": cells,
        "blueprint": blueprint,
        "in_use": blueprint is not None and blueprint_services.blueprint_in_use(blueprint),
        "more_rows": rows + 5,
        "menu": "blueprints",
    }
    context["invalid"] = cells.is_bound and not cells.is_valid()
    if not context["invalid"]:
        specs = _specs(cells) if cells.is_bound else _stored_specs(blueprint)
        category = (form.data.get("position_category") if form.is_bound else None) or (
            blueprint.position_category if blueprint else ""
        )
        forms_needed = int_param(request.POST, "parallel_forms", high=6) if form.is_bound else None
        context.update(
            _checks(specs, forms_needed or (blueprint.parallel_forms if blueprint else 1), category)
        )
    return render(request, "exams/blueprint_form.html", context)


def _stored_specs(blueprint: Blueprint | None) -> list[CellSpec]:
    return blueprint_services.specs_of(blueprint) if blueprint else []


@duty_required(Duty.EXAMS)
def blueprint_create(request: AuthenticatedRequest) -> HttpResponse:
    _require(request)
    return _blueprint_page(request, None)


@duty_required(Duty.EXAMS)
def blueprint_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _blueprint_page(request, get_blueprint_for_user(request.user, pk))


@require_POST
@duty_required(Duty.EXAMS)
def blueprint_check(request: AuthenticatedRequest) -> HttpResponse:
    """The live check (htmx, on every change of the form): the table of cells with what the
    bank holds, without saving anything."""
    _require(request)
    cells = CellFormSet(request.POST, prefix="cells")
    forms_needed = min(max(int_param(request.POST, "parallel_forms") or 1, 1), 6)
    category = request.POST.get("position_category", "")
    if category not in PositionCategory.values:
        category = ""
    context: dict[str, Any] = {"invalid": not cells.is_valid()}
    if cells.is_valid():
        context.update(_checks(_specs(cells), forms_needed, category))
    return render(request, "exams/includes/feasibility.html", context)


# --- paper actions of a sitting ----------------------------------------------------------------


def _sitting_action(request: AuthenticatedRequest, pk: int, call: Any, done: str) -> HttpResponse:
    sitting = get_sitting_for_user(request.user, pk)
    return run_action(
        request,
        lambda: call(sitting),
        then=reverse("exams:sitting_detail", args=[sitting.pk]),
        done=done,
    )


@require_POST
@duty_required(Duty.EXAMS)
def sitting_papers(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _sitting_action(
        request,
        pk,
        lambda s: paper_services.generate_papers(actor=request.user, sitting=s),
        "已为考生生成试卷（题序和选项顺序已固定）。",
    )


@require_POST
@duty_required(Duty.EXAMS)
def sitting_forms(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _sitting_action(
        request,
        pk,
        lambda s: paper_services.generate_forms(actor=request.user, sitting=s),
        "已生成平行卷，各卷之间没有相同的试题。",
    )


@require_POST
@duty_required(Duty.EXAMS)
def sitting_lot(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    witness = (request.POST.get("witness") or "").strip()[:100]
    return _sitting_action(
        request,
        pk,
        lambda s: paper_services.draw_lot(actor=request.user, sitting=s, witness=witness),
        "已抽签，抽中的卷已发给每位考生。",
    )
