"""Import pages (core.imports): download the template, upload a file, see its errors or a
preview, confirm, follow the progress of a long file, see the result; and the list of one's
recent imports.

Who: whoever the kind's spec allows (`ImportSpec.can_import`; deputies: staff). Anybody else
gets 403, an unknown kind 404, the public is sent to log in. Staff who may import a kind see
each other's batches of it (they share the work); the list shows one's own.
"""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from renda.lib.excel import XLSX_TYPE

from .. import imports
from ..imports import FileProblem, human_size, max_bytes
from ..models import ImportBatch

Status = ImportBatch.Status
RECENT = 10
PREVIEW_ROWS = 20


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="选择文件",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
        error_messages={"required": "请选择要上传的文件", "empty": "文件是空的，请检查后重新上传"},
    )


def _back_url(spec: imports.ImportSpec) -> str:
    if spec.back_url_name:
        try:
            return reverse(spec.back_url_name)
        except NoReverseMatch:
            pass
    return reverse("core:import_list")


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    specs = imports.specs_for_user(request.user)
    if not specs:
        raise PermissionDenied("您没有可以导入的数据类型。")
    titles = {spec.kind: spec.title for spec in specs}
    rows = [
        (batch, titles.get(batch.kind, batch.kind))
        for batch in imports.recent_batches_for_user(request.user)[:30]
    ]
    return render(request, "core/import_list.html", {"specs": specs, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, kind: str) -> HttpResponse:
    spec = imports.get_spec_for_user(request.user, kind)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.start_import(
                actor=request.user, kind=kind, uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            if batch.status == Status.COMMITTED:
                messages.info(
                    request,
                    f"这个文件已于 {batch.committed_at:%Y-%m-%d %H:%M} 导入过（批次 {batch.pk}），没有重复导入。",
                )
            return redirect("core:import_batch", batch.pk)
    return render(
        request,
        "core/import_start.html",
        {
            "spec": spec,
            "form": form,
            "back_url": _back_url(spec),
            "max_size": human_size(max_bytes()),
            "batches": imports.recent_batches_for_user(request.user, kind)[:RECENT],
        },
    )


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = imports.get_spec_for_user(request.user, kind)
    response = HttpResponse(imports.template_xlsx(spec), content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(spec.title + '导入模板.xlsx')}"
    )
    return response


def _progress_context(batch: ImportBatch) -> dict[str, object]:
    done = imports.published_progress(batch)
    percent = int(done * 100 / batch.rows_total) if batch.rows_total else 0
    return {"batch": batch, "done": done, "percent": min(percent, 100)}


@login_required
def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = imports.get_batch_for_user(request.user, pk)
    spec = imports.get_spec(batch.kind)
    shown, problem = None, ""
    if batch.status == Status.READY:
        try:
            shown = imports.preview(batch, limit=PREVIEW_ROWS)
        except FileProblem as exc:
            problem = exc.message
    errors = [
        {
            "row": e.get("row"),
            "column": e.get("column") or "",
            "message": e.get("message", ""),
            "text": imports.error_text(e),
        }
        for e in batch.errors
    ]
    return render(
        request,
        "core/import_batch.html",
        {
            "spec": spec,
            "preview": shown,
            "problem": problem,
            "errors": errors,
            "error_count": batch.summary.get("error_count", len(errors)),
            "result": spec.describe(batch.summary) if batch.status == Status.COMMITTED else "",
            "back_url": _back_url(spec),
            "stalled": imports.is_stalled(batch),
            **_progress_context(batch),
        },
    )


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by htmx every second while a long file commits; when it is over, the page
    reloads itself to show the result."""
    batch = imports.get_batch_for_user(request.user, pk)
    if batch.status != Status.COMMITTING and request.headers.get("HX-Request"):
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "core/import_batch.html#progress", _progress_context(batch))


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = imports.get_batch_for_user(request.user, pk)
    spec = imports.get_spec(batch.kind)
    try:
        batch = imports.queue_commit_import(actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("core:import_batch", batch.pk)
    if batch.status == Status.COMMITTED:
        messages.success(request, f"导入完成：{spec.describe(batch.summary)}。")
    elif batch.status == Status.COMMITTING:
        messages.info(request, "正在后台导入，请稍候；导入完成前不会写入任何数据。")
    elif batch.status == Status.FAILED:
        messages.error(request, "导入失败，已全部撤销，没有写入任何数据。原因见下方。")
    elif batch.status == Status.DISCARDED:
        messages.info(request, "同一文件已由另一批次导入，本批次没有重复导入。")
    return redirect("core:import_batch", batch.pk)


@login_required
@require_POST
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    batch = imports.get_batch_for_user(request.user, pk)
    try:
        imports.discard_import(actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("core:import_batch", batch.pk)
    messages.info(request, f"已放弃批次 {batch.pk}（{batch.file_name}），没有写入任何数据。")
    return redirect("core:import_start", batch.kind)
