"""Question files: import a GIFT, Aiken or Moodle XML file (upload → preview with every
error by line → confirm), and export the filtered bank in any format. The Excel template
goes through the import framework's own pages (/imports/exam_questions/).

Between preview and confirm the file travels back in the form, signed (django.core.signing)
so that what is confirmed is exactly what was previewed; it is parsed and checked again."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.roles import Duty, duty_required

from .. import services
from ..formats import FORMATS
from ..forms import ImportForm
from ..models import Topic
from ..permissions import DENIED, can_manage_bank
from ..selectors import bank_filters, bank_questions

SALT = "renda.exams.bank_import"
PREVIEW_ROWS = 200


def _read(upload: Any) -> str:
    raw = upload.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return str(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise ValidationError("无法识别文件编码：请另存为 UTF-8 编码后上传")


def _plan(payload: dict[str, Any]) -> tuple[Any, Any]:
    topic = Topic.objects.filter(pk=payload.get("topic") or 0).first()
    parser = FORMATS[payload["format"]].parse
    parsed = parser(payload["text"], default_topic=topic.path if topic else ())
    if parsed.errors:
        return parsed, None
    return parsed, services.plan_import(parsed.questions, create_topics=payload["create_topics"])


@duty_required(Duty.EXAMS)
def bank_import(request: AuthenticatedRequest) -> HttpResponse:
    if not can_manage_bank(request.user):
        raise PermissionDenied(DENIED)
    if request.method == "POST" and "payload" in request.POST:
        return _confirm(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "menu": "import"}
    if request.method == "POST" and form.is_valid():
        try:
            text = _read(form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            topic = form.cleaned_data["topic"]
            payload = {
                "format": form.cleaned_data["format"],
                "text": text,
                "topic": topic.pk if topic else None,
                "status": form.cleaned_data["status"],
                "create_topics": form.cleaned_data["create_topics"],
                "file_name": form.cleaned_data["file"].name[:200],
            }
            parsed, plan = _plan(payload)
            errors = parsed.errors or (plan.errors if plan else [])
            if errors:
                services.record_import_refused(
                    actor=request.user,
                    format=payload["format"],
                    file_name=payload["file_name"],
                    errors=[str(e) for e in errors],
                )
            context.update(
                {
                    "errors": errors,
                    "plan": plan if not errors else None,
                    "items": plan.items[:PREVIEW_ROWS] if plan and not errors else [],
                    "payload": signing.dumps(payload, salt=SALT, compress=True)
                    if not errors
                    else "",
                    "file_name": payload["file_name"],
                }
            )
    return render(request, "exams/import.html", context)


def _confirm(request: AuthenticatedRequest) -> HttpResponse:
    try:
        payload = signing.loads(request.POST["payload"], salt=SALT, max_age=3600)
    except signing.BadSignature:
        messages.error(request, "预览已过期或被改动，请重新上传文件。")
        return redirect("exams:bank_import")
    parsed, plan = _plan(payload)
    if parsed.errors or plan is None or plan.errors:
        messages.error(
            request, "文件校验未通过（题库可能已有变化），没有导入任何试题，请重新上传。"
        )
        return redirect("exams:bank_import")
    try:
        counts = services.import_questions(
            actor=request.user,
            plan=plan,
            status=payload["status"],
            source=payload["format"],
            file_name=payload["file_name"],
        )
    except ValidationError as exc:
        messages.error(request, "没有导入任何试题：" + "；".join(exc.messages))
        return redirect("exams:bank_import")
    messages.success(
        request,
        f"已导入：新增 {counts['create']} 题，更新 {counts['update']} 题，未变 {counts['unchanged']} 题。",
    )
    return redirect("exams:bank")


@require_GET
@duty_required(Duty.EXAMS)
def bank_export(request: AuthenticatedRequest) -> HttpResponse:
    if not can_manage_bank(request.user):
        raise PermissionDenied(DENIED)
    kind = request.GET.get("format", "")
    if kind not in FORMATS and kind != "xlsx":
        messages.error(request, "请选择导出格式。")
        return redirect("exams:bank")
    questions = bank_questions(bank_filters(request.GET))
    content, skipped = services.export_questions(
        actor=request.user, questions=questions, format=kind
    )
    if kind == "xlsx":
        extension, content_type = (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        extension, content_type = FORMATS[kind].extension, FORMATS[kind].content_type
    name = f"题库-{kind}-{timezone.localdate():%Y%m%d}.{extension}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    if skipped:
        messages.warning(
            request,
            f"{FORMATS[kind].label if kind in FORMATS else 'Excel'} 格式容纳不了 {len(skipped)} 道题，未导出：{'、'.join(skipped[:20])}",
        )
    return response
