"""The reader's pages, phone first: 我的文件 (search, filters, unread marks) and the reader,
which previews a PDF with pdf.js and a Word file as HTML — no office software needed — with
an audited download. Every document comes through `permissions.get_document_for_reader`,
i.e. `selectors.released_to`; a confidential one carries the reader's name as a watermark and
is never cached."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.params import int_param, year_param
from renda.core.roles import Role, has_role, role_required
from renda.meetings.models import Meeting

from .. import services
from ..content import sanitize_preview
from ..models import Document
from ..permissions import READER_ROLES, get_document_for_reader
from ..rules import Kind
from ..selectors import my_documents, release_time, released_to, unread_for

OPENERS = (Role.STAFF, *READER_ROLES)


def _no_store(response: HttpResponseBase, document: Document) -> HttpResponseBase:
    # A confidential document must not stay in a shared phone's or a proxy's cache. (Core's
    # PrivatePagesMiddleware says the same of every logged-in page today; this does not rely
    # on it.)
    if document.confidential:
        response["Cache-Control"] = "private, no-store"
    return response


@role_required(*READER_ROLES)
def mine(request: AuthenticatedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    meeting = int_param(request.GET, "meeting")
    year = year_param(request.GET)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    documents = my_documents(request.user, q=q, meeting=meeting, year=year, kind=kind)
    page = Paginator(documents, 20).get_page(request.GET.get("page"))
    # The filters offer only what this reader has: their meetings and years.
    mine_all = released_to(request.user)
    meetings = Meeting.objects.filter(
        pk__in=mine_all.filter(agenda_item__isnull=False).values("agenda_item__meeting_id")
    ).order_by("-start_at")
    years = sorted(set(mine_all.values_list("year", flat=True)), reverse=True)
    query = "&".join(
        f"{k}={v}"
        for k, v in (("q", q), ("meeting", meeting or ""), ("year", year or ""), ("kind", kind))
        if v
    )
    return render(
        request,
        "documents/mine.html",
        {
            "page": page,
            "q": q,
            "meeting": meeting,
            "year": year,
            "kind": kind,
            "meetings": meetings,
            "years": years,
            "kinds": Kind.choices,
            "query": query,
            "unread": unread_for(request.user).count(),
        },
    )


@role_required(*OPENERS)
def read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = get_document_for_reader(request.user, pk)
    if has_role(request.user, *READER_ROLES):
        services.record_read(actor=request.user, document=document)
    response = render(
        request,
        "documents/read.html",
        {
            "document": document,
            "released": release_time(document),
            "meeting": document.agenda_item.meeting if document.agenda_item else None,
            "watermark": f"{request.user.name or request.user.username} "
            f"{timezone.localtime():%Y-%m-%d %H:%M}",
            "marks": range(24),
            # Sanitised at upload and again here, so a stored preview can never carry markup
            # past the allow-list even if the list was wider when it was stored.
            "preview": mark_safe(sanitize_preview(document.preview_html)),  # noqa: S308
        },
    )
    _no_store(response, document)
    return response


@role_required(*OPENERS)
def raw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The PDF's bytes for the in-browser preview (pdf.js fetches them); audited like a
    download, since the bytes are the document."""
    document = get_document_for_reader(request.user, pk)
    if document.file_type != "pdf":
        raise Http404("该文件不是 PDF。")
    services.record_file_access(actor=request.user, document=document, download=False)
    response = FileResponse(document.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = "inline"
    return _no_store(response, document)  # type: ignore[return-value]


@role_required(*OPENERS)
def download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = get_document_for_reader(request.user, pk)
    services.record_file_access(actor=request.user, document=document, download=True)
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.file_name
    )
    return _no_store(response, document)  # type: ignore[return-value]
