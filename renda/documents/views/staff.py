"""Staff pages: the document library (every document, with its read count), upload, edit and
withdraw, a meeting's documents by agenda item, and who has read a document (with Excel)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.exports import Column, export_xlsx
from renda.core.forms import attempt
from renda.core.params import year_param
from renda.core.roles import Duty, Role, duty_required, role_required
from renda.meetings.models import AgendaItem, Meeting
from renda.meetings.permissions import get_meeting_for_user

from .. import services
from ..forms import DocumentForm, WithdrawForm
from ..models import Document
from ..permissions import get_document_for_manager
from ..rules import Kind, State
from ..selectors import ReaderRow, library, read_report, release_time


@role_required(Role.STAFF)
def library_list(request: AuthenticatedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    year = year_param(request.GET)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    state = request.GET.get("state", "")
    state = state if state in State.values else ""
    page = Paginator(library(q=q, year=year, kind=kind, state=state), 30).get_page(
        request.GET.get("page")
    )
    query = "&".join(
        f"{k}={v}"
        for k, v in (("q", q), ("year", year or ""), ("kind", kind), ("state", state))
        if v
    )
    return render(
        request,
        "documents/library.html",
        {
            "page": page,
            "q": q,
            "year": year,
            "kind": kind,
            "state": state,
            "kinds": Kind.choices,
            "states": State.choices,
            "query": query,
            "meetings": Meeting.objects.exclude(state="closed").order_by("start_at")[:10],
        },
    )


def _publish(
    request: AuthenticatedRequest, form: DocumentForm, item: AgendaItem | None = None
) -> Document | None:
    data = form.cleaned_data
    return attempt(
        form,
        lambda: services.publish_document(
            actor=request.user,
            file=data["file"],
            title=data["title"],
            kind=data["kind"],
            year=data["year"],
            release=form.release(),
            agenda_item=item,
        ),
    )


@duty_required(Duty.MEETINGS)
def upload(request: AuthenticatedRequest) -> HttpResponse:
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = _publish(request, form)
        if document is not None:
            messages.success(request, f"已发布“{document.title}”。")
            return redirect("documents:report", document.pk)
    return render(
        request,
        "documents/form.html",
        {"form": form, "title": "上传文件", "back_url": reverse("documents:library")},
    )


@role_required(Role.STAFF)
def meeting_documents(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A meeting's documents by agenda item, and the form that attaches one to an item."""
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = DocumentForm(request.POST or None, request.FILES or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        item = AgendaItem.objects.get(pk=form.cleaned_data["agenda_item"], meeting=meeting)
        document = _publish(request, form, item)
        if document is not None:
            messages.success(request, f"已将“{document.title}”挂在议程“{item.title}”下。")
            return redirect("documents:meeting", meeting.pk)
    items = meeting.agenda.prefetch_related("documents")
    return render(
        request,
        "documents/meeting.html",
        {"meeting": meeting, "items": items, "form": form, "now": timezone.now()},
    )


@duty_required(Duty.MEETINGS)
def edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = get_document_for_manager(request.user, pk)
    meeting = document.agenda_item.meeting if document.agenda_item else None
    form = DocumentForm(
        request.POST or None,
        meeting=meeting,
        with_file=False,
        initial=DocumentForm.initial_for(document),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            form,
            lambda: services.update_document(
                actor=request.user,
                document=document,
                title=data["title"],
                kind=data["kind"],
                year=data["year"],
                release=form.release(),
            ),
        )
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("documents:report", document.pk)
    return render(
        request,
        "documents/form.html",
        {
            "form": form,
            "title": f"修改 · {document.title}",
            "back_url": reverse("documents:report", args=[document.pk]),
        },
    )


@require_POST
@duty_required(Duty.MEETINGS)
def withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = get_document_for_manager(request.user, pk)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return run_action(
        request,
        lambda: services.withdraw_document(actor=request.user, document=document, reason=reason),
        then=reverse("documents:report", args=[pk]),
        done="已撤回，代表不再能看到该文件。",
    )


@role_required(Role.STAFF)
def report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = get_document_for_manager(request.user, pk)
    return render(
        request,
        "documents/report.html",
        {
            "document": document,
            "report": read_report(document),
            "released": release_time(document),
            "recipients": document.recipient_rows.select_related("deputy")[:50],
            "withdraw_form": WithdrawForm(),
        },
    )


REPORT_COLUMNS: list[Column[ReaderRow]] = [
    Column("姓名", lambda r: r.name),
    Column("代表团或身份", lambda r: r.unit),
    Column(
        "是否已读",
        lambda r: "已读" if r.read_at else ("未开通账号" if r.user_id is None else "未读"),
    ),
    Column(
        "首次阅读时间",
        lambda r: timezone.localtime(r.read_at).strftime("%Y-%m-%d %H:%M") if r.read_at else "",
    ),
]


@role_required(Role.STAFF)
def report_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document: Document = get_document_for_manager(request.user, pk)
    result = read_report(document)
    return export_xlsx(
        title="文件阅读情况",
        filename=f"文件阅读情况-{document.pk}-{timezone.localdate():%Y%m%d}.xlsx",
        columns=REPORT_COLUMNS,
        rows=result.rows,
        actor=request.user,
        action="documents.report_export",
        details={"document": document.pk, "read": result.read, "total": result.total},
    )
