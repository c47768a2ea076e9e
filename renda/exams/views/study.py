"""学习资料: staff write and publish statute texts by law; a nominee reads the published ones
(phone first). Nothing here reads the question bank."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import BootstrapForm, attempt
from renda.core.roles import Duty, Role, duty_required, role_required

from ..models import StudyMaterial, Topic
from ..permissions import MATERIALS_DENIED, can_manage_materials, get_material_for_user
from ..services import study as services


class MaterialForm(BootstrapForm):
    title = forms.CharField(label="标题", max_length=200)
    topic = forms.ModelChoiceField(Topic.objects.filter(parent=None), label="法律", required=False)
    body = forms.CharField(label="正文", required=False, widget=forms.Textarea(attrs={"rows": 16}))
    attachment = forms.FileField(
        label="附件", required=False, help_text="PDF 或 Word 文件，不超过 20 MB"
    )


def _require(request: AuthenticatedRequest) -> None:
    if not can_manage_materials(request.user):
        raise PermissionDenied(MATERIALS_DENIED)


@duty_required(Duty.EXAMS)
def materials(request: AuthenticatedRequest) -> HttpResponse:
    _require(request)
    rows = StudyMaterial.objects.select_related("topic")
    return render(request, "exams/study/list.html", {"materials": rows, "menu": "study"})


def _form(request: AuthenticatedRequest, material: StudyMaterial | None) -> HttpResponse:
    initial = (
        {"title": material.title, "topic": material.topic, "body": material.body}
        if material
        else {}
    )
    form = MaterialForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form,
            lambda: services.save_material(
                actor=request.user, material=material, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, "已保存。")
            return redirect("exams:materials")
    return render(
        request,
        "exams/study/form.html",
        {
            "form": form,
            "material": material,
            "back_url": reverse("exams:materials"),
            "menu": "study",
        },
    )


@duty_required(Duty.EXAMS)
def material_create(request: AuthenticatedRequest) -> HttpResponse:
    _require(request)
    return _form(request, None)


@duty_required(Duty.EXAMS)
def material_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _form(request, get_material_for_user(request.user, pk))


@require_POST
@duty_required(Duty.EXAMS)
def material_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    material = get_material_for_user(request.user, pk)
    publish = not material.published
    return run_action(
        request,
        lambda: services.set_published(actor=request.user, material=material, published=publish),
        then=reverse("exams:materials"),
        done="已发布，拟任命人员可以阅读。" if publish else "已撤回。",
    )


@role_required(Role.STAFF, Role.NOMINEE)
def material_file(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    material = get_material_for_user(request.user, pk)
    if not material.attachment:
        raise Http404("该资料没有附件。")
    name = material.attachment.name.rsplit("/", 1)[-1]
    return FileResponse(  # type: ignore[return-value]
        material.attachment.open("rb"), as_attachment=True, filename=name
    )


# --- the nominee's pages -----------------------------------------------------------------------


@role_required(Role.NOMINEE)
def my_materials(request: AuthenticatedRequest) -> HttpResponse:
    rows = StudyMaterial.objects.filter(published=True).select_related("topic")
    return render(request, "exams/study/mine.html", {"materials": rows})


@role_required(Role.NOMINEE)
def my_material(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return render(
        request,
        "exams/study/detail.html",
        {"material": get_material_for_user(request.user, pk)},
    )
