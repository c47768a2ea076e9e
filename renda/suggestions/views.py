"""Pages for motions and suggestions: the deputy's phone pages, the staff desk, the unit
workspace, statistics, duty records and scores, and the public disclosure pages.

Each view: decorators → permission-checked fetch → form → one service call → redirect or
render (DESIGN §4.2). A POST whose form or service fails re-renders the detail page with the
errors next to the fields and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import acting_user
from renda.core import audit
from renda.core import workflow as wf
from renda.core.models import Notification
from renda.core.roles import Role, role_required
from renda.core.sources import sources_of
from renda.deputies.forms import add_service_errors
from renda.deputies.models import Deputy, DutyRecord
from renda.lib.excel import xlsx_response

from . import letters, scoring, selectors, services
from . import permissions as perms
from .forms import (
    AssignForm,
    AttachmentForm,
    DecideForm,
    DutyRecordForm,
    FilterForm,
    InviteForm,
    KeyForm,
    MergeForm,
    MotionForm,
    NoteForm,
    OpinionForm,
    PaperForm,
    PublicFilterForm,
    PublishForm,
    RankingForm,
    RateForm,
    RegisterForm,
    ReplyForm,
    ReturnForm,
    ScanForm,
    ScoreRuleForm,
    SittingForm,
    StatsForm,
    SuggestionForm,
    UnitFilterForm,
    UnpublishForm,
)
from .models import (
    Assignment,
    Attachment,
    Evaluation,
    Field,
    Motion,
    ScoreRule,
    Signature,
    Sitting,
    Suggestion,
)
from .workflows import BUTTON_TRANSITIONS, HANDLING_STATES, MOTION_BUTTONS, SUGGESTION

PAGE_SIZE = 30
ROLE_ORDER = {"lead": 0, "split": 1, "co": 2}
READERS = (Role.STAFF, Role.SC_MEMBER)
ALL_INSIDE = (Role.STAFF, Role.SC_MEMBER, Role.DEPUTY, Role.HANDLING_OFFICER)


def _attempt(form: Any, call: Callable[[], Any]) -> Any:
    """Run one service call; a refusal lands on the form (nothing was written)."""
    try:
        return call()
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# --- detail page ------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, s: Suggestion, **bound: Any) -> dict[str, Any]:
    user = request.user
    ctx = wf.page_context(user, s)
    ctx["workflow_actions"] = [t for t in ctx["workflow_actions"] if t.name in BUTTON_TRANSITIONS]
    assignment = perms.my_assignment(user, s)
    staff = perms.is_staff(user)
    signature = perms.my_signature(user, s)
    ctx.update(
        s=s,
        signatures=list(s.signatures.select_related("deputy", "deputy__region")),
        # Lead first, then split and co-handling units; returned ones last.
        assignments=sorted(
            s.assignments.select_related("unit").filter(**({} if staff else {"active": True})),
            key=lambda a: (not a.active, ROLE_ORDER.get(a.role, 9), a.pk),
        ),
        notes=list(s.notes.select_related("unit", "created_by")),
        replies=list(s.replies.select_related("unit")),
        evaluations=list(s.evaluations.all()),
        attachments=list(s.attachments.select_related("unit")),
        merged_items=list(s.merged_items.only("id", "code", "title")),
        my_assignment=assignment,
        my_signature=signature,
        is_staff=staff,
        can_edit=perms.can_edit_draft(user, s),
        can_submit=s.state == "draft" and perms.can_edit_draft(user, s),
        action_url=reverse("suggestions:transition", args=[s.pk]),
    )
    forms: dict[str, Any] = {}
    if ctx["can_edit"]:
        forms["invite"] = InviteForm(subject=s) if not perms.is_staff(user) else None
        forms["attachment"] = AttachmentForm()
    if perms.can_register(user, s):
        forms["register"] = RegisterForm(initial={"expected_state": s.state})
    if perms.can_merge(user, s):
        forms["merge"] = MergeForm(initial={"expected_state": s.state})
        ctx["similar"] = selectors.similar_to(s)
    if perms.can_assign(user, s):
        forms["assign"] = AssignForm(initial={"expected_state": s.state, "mode": "lead"})
    if perms.can_set_key(user, s):
        forms["key"] = KeyForm(initial={"is_key": s.is_key, "reason": s.key_reason})
    if perms.can_publish(user, s):
        forms["publish"] = PublishForm(
            initial={
                "title": s.public_title or s.title,
                "content": s.public_content or services.redact(s.content),
                "reply": s.public_reply
                or services.redact("\n\n".join(r.content for r in ctx["replies"])),
            }
        )
        if s.published_at:
            forms["unpublish"] = UnpublishForm()
    if perms.can_reply(user, s, assignment):
        forms["reply"] = ReplyForm(initial={"expected_state": s.state})
    if perms.can_return(user, s, assignment):
        forms["return"] = ReturnForm(initial={"expected_state": s.state})
    if perms.can_give_opinion(user, s, assignment):
        forms["opinion"] = OpinionForm(
            initial={"opinion": assignment.opinion if assignment else ""}
        )
    if perms.can_add_note(user, s, assignment):
        forms["note"] = NoteForm(initial={"occurred_on": timezone.localdate()})
        forms["media"] = AttachmentForm(initial={"kind": Attachment.Kind.HANDLING})
    if perms.can_rate(user, s):
        forms["rate"] = RateForm(initial={"expected_state": s.state})
    forms.update(bound)
    ctx["forms"] = forms
    # Where it came from (a constituent opinion, a budget alert…): core source links.
    ctx["sources"] = sources_of(s)
    return ctx


def _detail(request: HttpRequest, s: Suggestion, **bound: Any) -> HttpResponse:
    return render(request, "suggestions/detail.html", _detail_context(request, s, **bound))


@role_required(*ALL_INSIDE)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, perms.get_suggestion_for_user(request.user, pk))


# --- deputy: drafts, co-signing, submission -----------------------------------------------------


@role_required(Role.DEPUTY)
def create(request: HttpRequest) -> HttpResponse:
    deputy = perms.deputy_of(request.user)
    if deputy is None or not perms.can_submit(request.user):
        raise PermissionDenied("您的账号尚未关联在任代表档案。")
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {"title": d["title"], "content": d["content"], "allow_public": d["allow_public"]}
        s = _attempt(
            form, lambda: services.create_suggestion(actor=request.user, deputy=deputy, **fields)
        )
        if s is not None:
            messages.success(request, "草稿已保存。可以邀请其他代表联名、添加附件，然后提交。")
            return redirect("suggestions:detail", s.pk)
    return render(request, "suggestions/form.html", {"form": form, "title": "提出建议"})


@role_required(Role.STAFF)
def paper_create(request: HttpRequest) -> HttpResponse:
    form = PaperForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        s = _attempt(
            form,
            lambda: services.create_suggestion(
                actor=request.user,
                deputy=d["deputy"],
                title=d["title"],
                content=d["content"],
                allow_public=d["allow_public"],
                channel=Suggestion.Source.PAPER,
                cosigners=list(d["cosigners"]),
            ),
        )
        if s is not None:
            messages.success(request, "纸质建议已录入为草稿，核对无误后请点“提交”。")
            return redirect("suggestions:detail", s.pk)
    return render(
        request,
        "suggestions/form.html",
        {"form": form, "title": "代录纸质建议", "multipart": False},
    )


@role_required(Role.DEPUTY, Role.STAFF)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    if not perms.can_edit_draft(request.user, s):
        raise PermissionDenied("只有领衔代表可以修改自己的草稿。")
    form = SuggestionForm(
        request.POST or None,
        initial={"title": s.title, "content": s.content, "allow_public": s.allow_public},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _attempt(
            form,
            lambda: services.update_draft(
                actor=request.user,
                suggestion=s,
                title=d["title"],
                content=d["content"],
                allow_public=d["allow_public"],
            ),
        ):
            messages.success(request, "草稿已保存。")
            return redirect("suggestions:detail", s.pk)
    return render(
        request, "suggestions/form.html", {"form": form, "title": "修改草稿", "object": s}
    )


@role_required(Role.DEPUTY, Role.STAFF)
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    if not perms.can_edit_draft(request.user, s):
        raise PermissionDenied("只有领衔代表可以提交自己的建议。")
    try:
        services.submit_suggestion(actor=request.user, suggestion=s)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        lapsed = getattr(s, "_lapsed_invitations", 0)
        note = f"有 {lapsed} 位被邀请的代表未确认，未列入联名。" if lapsed else ""
        messages.success(request, f"建议已提交，等待人大常委会登记交办。{note}")
    return redirect("suggestions:detail", s.pk)


@role_required(Role.DEPUTY)
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    if not perms.can_edit_draft(request.user, s):
        raise PermissionDenied("只有领衔代表可以邀请联名。")
    form = InviteForm(request.POST, subject=s)
    if form.is_valid() and _attempt(
        form,
        lambda: services.invite_cosigner(
            actor=request.user, subject=s, deputy=form.cleaned_data["deputy"]
        ),
    ):
        messages.success(request, f"已邀请 {form.cleaned_data['deputy'].name} 代表联名，待其确认。")
        return redirect("suggestions:detail", s.pk)
    return _detail(request, s, invite=form)


def _respond(request: HttpRequest, subject: Suggestion | Motion, url: str) -> HttpResponse:
    signature = perms.my_signature(request.user, subject)
    if signature is None:
        raise PermissionDenied("您没有被邀请联名。")
    accept = request.POST.get("accept") == "1"
    try:
        services.respond_signature(actor=request.user, signature=signature, accept=accept)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(url, subject.pk)
    if accept:
        messages.success(request, "您已确认联名。")
        return redirect(url, subject.pk)
    messages.info(request, "您已谢绝联名。")
    return redirect("suggestions:deputy_home")


@role_required(Role.DEPUTY)
@require_POST
def cosign(request: HttpRequest, pk: int) -> HttpResponse:
    return _respond(request, perms.get_suggestion_for_user(request.user, pk), "suggestions:detail")


@role_required(Role.DEPUTY, Role.STAFF, Role.HANDLING_OFFICER)
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    key = "media" if request.POST.get("kind") == Attachment.Kind.HANDLING else "attachment"
    if form.is_valid():
        try:
            services.add_attachment(
                actor=request.user,
                subject=s,
                uploaded=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"] or Attachment.Kind.MATERIAL,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "文件已上传。")
            return redirect("suggestions:detail", s.pk)
    return _detail(request, s, **{key: form})


@role_required(*ALL_INSIDE)
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Attachment, pk=pk)
    if item.suggestion_id:
        perms.get_suggestion_for_user(request.user, item.suggestion_id)
    else:
        perms.get_motion_for_user(request.user, item.motion_id)  # type: ignore[arg-type]
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)
    return response  # type: ignore[return-value]


@role_required(Role.STAFF, Role.DEPUTY, Role.HANDLING_OFFICER)
@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    """The plain buttons (撤回, 申请延期, 批准延期, 办结 …); steps with their own forms are
    refused here so that their checks cannot be skipped."""
    s = perms.get_suggestion_for_user(request.user, pk)
    if request.POST.get("transition") not in BUTTON_TRANSITIONS:
        messages.error(request, "该操作需要在对应的表单中办理。")
        return redirect("suggestions:detail", s.pk)
    wf.apply_posted_transition(request, s)
    return redirect("suggestions:detail", s.pk)


# --- staff: registration, triage, assignment, disclosure ------------------------------------------


@role_required(Role.STAFF)
@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = RegisterForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if _attempt(
            form,
            lambda: services.register_suggestion(
                actor=request.user,
                suggestion=s,
                field=d["field"],
                committee=d["committee"],
                expected_state=d["expected_state"] or None,
            ),
        ):
            messages.success(request, f"已登记为 {s.code}。")
            return redirect("suggestions:detail", s.pk)
    return _detail(request, s, register=form)


@role_required(Role.STAFF)
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        into = Suggestion.objects.filter(code=d["into"].strip(), term=s.term).first()
        if into is None:
            form.add_error("into", "没有找到这个编号的建议。")
        elif _attempt(
            form,
            lambda: services.merge_suggestion(
                actor=request.user,
                suggestion=s,
                into=into,
                note=d["note"],
                expected_state=d["expected_state"] or None,
            ),
        ):
            messages.success(request, f"已并入 {into.code}。")
            return redirect("suggestions:detail", s.pk)
    return _detail(request, s, merge=form)


@role_required(Role.STAFF)
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if _attempt(
            form,
            lambda: services.assign_suggestion(
                actor=request.user,
                suggestion=s,
                mode=d["mode"],
                lead_unit=d["lead_unit"],
                co_units=list(d["co_units"]),
                split_units=list(d["split_units"]),
                note=d["note"],
                expected_state=d["expected_state"] or None,
            ),
        ):
            messages.success(request, f"已交办，答复期限 {timezone.localtime(s.due_at):%Y-%m-%d}。")
            return redirect("suggestions:detail", s.pk)
    return _detail(request, s, assign=form)


@role_required(Role.STAFF)
@require_POST
def key(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = KeyForm(request.POST)
    if form.is_valid() and _attempt(
        form,
        lambda: services.set_key_supervision(
            actor=request.user,
            suggestion=s,
            is_key=form.cleaned_data["is_key"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(request, "已更新重点督办。")
        return redirect("suggestions:detail", s.pk)
    return _detail(request, s, key=form)


@role_required(Role.STAFF)
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if _attempt(
            form,
            lambda: services.publish_suggestion(
                actor=request.user,
                suggestion=s,
                title=d["title"],
                content=d["content"],
                reply=d["reply"],
            ),
        ):
            messages.success(request, "已在人大之家公开。")
            return redirect("suggestions:detail", s.pk)
    return _detail(request, s, publish=form)


@role_required(Role.STAFF)
@require_POST
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = UnpublishForm(request.POST)
    if form.is_valid() and _attempt(
        form,
        lambda: services.unpublish_suggestion(
            actor=request.user, suggestion=s, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, "已撤下公开内容。")
        return redirect("suggestions:detail", s.pk)
    return _detail(request, s, unpublish=form)


# --- handling unit ------------------------------------------------------------------------------


@role_required(Role.HANDLING_OFFICER)
@require_POST
def return_item(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    if form.is_valid() and _attempt(
        form,
        lambda: services.return_assignment(
            actor=request.user,
            suggestion=s,
            reason=form.cleaned_data["reason"],
            expected_state=form.cleaned_data["expected_state"] or None,
        ),
    ):
        messages.success(request, "已退回，等待人大常委会重新交办。")
        return redirect("suggestions:unit_home")
    return _detail(request, s, **{"return": form})


@role_required(Role.HANDLING_OFFICER)
@require_POST
def opinion(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = OpinionForm(request.POST)
    if form.is_valid() and _attempt(
        form,
        lambda: services.submit_co_opinion(
            actor=request.user, suggestion=s, opinion=form.cleaned_data["opinion"]
        ),
    ):
        messages.success(request, "协办意见已送主办单位。")
        return redirect("suggestions:detail", s.pk)
    return _detail(request, s, opinion=form)


@role_required(Role.HANDLING_OFFICER)
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if _attempt(
            form,
            lambda: services.add_handling_note(
                actor=request.user,
                suggestion=s,
                kind=d["kind"],
                method=d["method"],
                occurred_on=d["occurred_on"],
                content=d["content"],
            ),
        ):
            messages.success(request, "已记录。")
            return redirect("suggestions:detail", s.pk)
    return _detail(request, s, note=form)


@role_required(Role.HANDLING_OFFICER)
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        answer = _attempt(
            form,
            lambda: services.reply_suggestion(
                actor=request.user,
                suggestion=s,
                reply_class=d["reply_class"],
                content=d["content"],
                signer=d["signer"],
                contact_person=d["contact_person"],
                signed_scan=d["signed_scan"],
                expected_state=d["expected_state"] or None,
            ),
        )
        if answer is not None:
            if s.state == "replied":
                messages.success(request, "已答复代表。请下载答复函，签发盖章后上传扫描件。")
            else:
                messages.success(request, "本单位答复已提交，待其他分办单位答复后一并送代表。")
            return redirect("suggestions:detail", s.pk)
    return _detail(request, s, reply=form)


@role_required(*ALL_INSIDE)
def reply_letter(request: HttpRequest, pk: int) -> HttpResponse:
    answer = perms.get_reply_for_user(request.user, pk)
    names = [
        sig.deputy.name
        for sig in Signature.objects.filter(
            suggestion_id=answer.suggestion_id, confirmed_at__isnull=False
        ).select_related("deputy")
    ]
    content = letters.reply_letter(answer, names)
    return letters.docx_response(
        content, f"答复函-{answer.suggestion.code or answer.suggestion_id}-{answer.unit.name}.docx"
    )


@role_required(Role.HANDLING_OFFICER)
@require_POST
def reply_scan(request: HttpRequest, pk: int) -> HttpResponse:
    answer = perms.get_reply_for_user(request.user, pk)
    form = ScanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attach_signed_scan(
                actor=request.user, reply=answer, uploaded=form.cleaned_data["signed_scan"]
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, "盖章答复件已上传。")
    else:
        messages.error(request, "请选择盖章答复件。")
    return redirect("suggestions:detail", answer.suggestion_id)


@role_required(Role.DEPUTY, Role.STAFF)
@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = RateForm(request.POST)
    if form.is_valid() and _attempt(
        form,
        lambda: services.rate_suggestion(
            actor=request.user,
            suggestion=s,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            expected_state=form.cleaned_data["expected_state"] or None,
        ),
    ):
        messages.success(request, f"感谢您的评价。当前状态：{SUGGESTION.label(s.state)}。")
        return redirect("suggestions:detail", s.pk)
    return _detail(request, s, rate=form)


# --- lists and exports ------------------------------------------------------------------------


def _filtered(
    request: HttpRequest, base: QuerySet[Suggestion], form_class: type
) -> tuple[Any, QuerySet[Suggestion]]:
    form = form_class(request.GET or None)
    qs = base
    if form.is_valid():
        qs = selectors.filter_suggestions(qs, form.cleaned_data)
    return form, qs


EXPORT_HEADERS = [
    "编号",
    "标题",
    "领衔代表",
    "联名人数",
    "分类",
    "状态",
    "承办单位",
    "办理期限",
    "答复类别",
    "满意度",
    "重点督办",
    "重新办理次数",
    "提交时间",
]


def _export_rows(qs: QuerySet[Suggestion]) -> Any:
    fields = dict(Field.choices)
    for s in selectors.list_queryset(qs).iterator(chunk_size=2000):
        yield [
            s.code,
            s.title,
            s.lead_deputy.name,
            getattr(s, "signer_count", None) or 1,
            fields.get(s.field, ""),
            SUGGESTION.label(s.state),
            getattr(s, "lead_unit_name", None) or "",
            timezone.localtime(s.due_at).strftime("%Y-%m-%d") if s.due_at else "",
            s.reply_class,
            s.get_satisfaction_display(),
            "是" if s.is_key else "",
            s.rehandle_count,
            timezone.localtime(s.submitted_at).strftime("%Y-%m-%d %H:%M") if s.submitted_at else "",
        ]


@role_required(*READERS)
def home(request: HttpRequest) -> HttpResponse:
    base = perms.visible_suggestions(request.user)
    form, qs = _filtered(request, base, FilterForm)
    page = Paginator(selectors.list_queryset(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.state_counts(base)
    return render(
        request,
        "suggestions/home.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "now": timezone.now(),
            "counts": [(code, label, counts.get(code, 0)) for code, label in SUGGESTION.choices],
            "overdue": base.filter(wf.overdue_q(SUGGESTION), state__in=HANDLING_STATES).count(),
            "is_staff": perms.is_staff(request.user),
        },
    )


@role_required(*READERS)
def export(request: HttpRequest) -> HttpResponse:
    _, qs = _filtered(request, perms.visible_suggestions(request.user), FilterForm)
    audit.record(
        actor=request.user, action="suggestion.export", details={"filters": request.GET.dict()}
    )
    return xlsx_response(
        "代表建议",
        EXPORT_HEADERS,
        _export_rows(qs),
        filename=f"代表建议-{timezone.localdate():%Y%m%d}.xlsx",
    )


def _unit_base(request: HttpRequest) -> QuerySet[Suggestion]:
    return perms.visible_suggestions(request.user)


@role_required(Role.HANDLING_OFFICER)
def unit_home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if user.organization_id is None:
        raise PermissionDenied("您的账号没有所属承办单位。")
    base = _unit_base(request)
    form, qs = _filtered(request, base, UnitFilterForm)
    page = Paginator(selectors.list_queryset(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    my_parts = {
        a["suggestion_id"]: a["role"]
        for a in Assignment.objects.filter(
            unit_id=user.organization_id, active=True, suggestion_id__in=[s.pk for s in page]
        ).values("suggestion_id", "role")
    }
    for s in page:
        # Shown in the row: is this unit the lead, a co-handling or a split unit here?
        s.my_role = Assignment.Role(my_parts[s.pk]).label if s.pk in my_parts else ""  # type: ignore[attr-defined]
    return render(
        request,
        "suggestions/unit_home.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "now": timezone.now(),
            "unit": user.organization,
            "todo": base.filter(state__in=HANDLING_STATES).count(),
            "overdue": base.filter(wf.overdue_q(SUGGESTION), state__in=HANDLING_STATES).count(),
            "opinions_due": Assignment.objects.filter(
                unit_id=user.organization_id,
                active=True,
                role="co",
                opinion_at__isnull=True,
                suggestion__state__in=HANDLING_STATES,
            ).count(),
        },
    )


@role_required(Role.HANDLING_OFFICER)
def unit_export(request: HttpRequest) -> HttpResponse:
    _, qs = _filtered(request, _unit_base(request), UnitFilterForm)
    audit.record(actor=request.user, action="suggestion.unit_export")
    return xlsx_response(
        "本单位承办建议",
        EXPORT_HEADERS,
        _export_rows(qs),
        filename=f"承办建议-{timezone.localdate():%Y%m%d}.xlsx",
    )


# --- deputy home -------------------------------------------------------------------------------


@role_required(Role.DEPUTY)
def deputy_home(request: HttpRequest) -> HttpResponse:
    """代表之家 on a phone: my items and their status, what waits for me, my record and score."""
    deputy = perms.deputy_of(request.user)
    if deputy is None:
        return render(request, "deputies/me_missing.html", status=404)
    mine = selectors.list_queryset(perms.visible_suggestions(request.user))
    year = timezone.localdate().year
    return render(
        request,
        "suggestions/deputy_home.html",
        {
            "deputy": deputy,
            "to_rate": list(mine.filter(state="replied", lead_deputy=deputy)[:20]),
            "invitations": list(
                Signature.objects.filter(deputy=deputy, confirmed_at__isnull=True, is_lead=False)
                .filter(Q(suggestion__state="draft") | Q(motion__state="draft"))
                .select_related("suggestion__lead_deputy", "motion__lead_deputy")
            ),
            "suggestions": list(mine[:30]),
            "motions": list(perms.visible_motions(request.user).select_related("lead_deputy")[:10]),
            "score": scoring.deputy_score(deputy, year),
            "year": year,
            "records": list(DutyRecord.objects.filter(deputy=deputy)[:5]),
            "notifications": list(
                Notification.objects.filter(
                    recipient=acting_user(request), read_at__isnull=True
                ).order_by("-id")[:5]
            ),
            "can_submit": perms.can_submit(request.user),
        },
    )


# --- public disclosure -------------------------------------------------------------------------


def public_list(request: HttpRequest) -> HttpResponse:
    form = PublicFilterForm(request.GET or None)
    qs = selectors.public_suggestions()
    if form.is_valid():
        qs = selectors.filter_public(qs, form.cleaned_data)
    qs = (
        qs.select_related("lead_deputy")
        .only(
            "id",
            "code",
            "public_title",
            "state",
            "field",
            "due_at",
            "reply_class",
            "satisfaction",
            "published_at",
            "lead_deputy__name",
        )
        .order_by("-published_at", "-id")
    )
    page = Paginator(selectors.with_lead_unit(qs), 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "suggestions/public_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "total": page.paginator.count},
    )


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    s = get_object_or_404(selectors.public_suggestions().select_related("lead_deputy"), pk=pk)
    timeline = [
        e
        for e in wf.history(s)
        if e.event.transition
        in (
            "submit",
            "register",
            "assign",
            "reply",
            "rate_close",
            "rate_track",
            "rate_dissatisfied",
            "close",
            "approve_extension",
        )
    ]
    return render(
        request,
        "suggestions/public_detail.html",
        {
            "s": s,
            "signers": [
                sig.deputy.name
                for sig in s.signatures.filter(confirmed_at__isnull=False).select_related("deputy")
            ],
            "units": list(s.assignments.filter(active=True).select_related("unit")),
            "timeline": timeline,
            "state_label": SUGGESTION.label(s.state),
            "overdue": wf.is_overdue(s) and s.state in HANDLING_STATES,
        },
    )


# --- motions ---------------------------------------------------------------------------------


def _motion_context(request: HttpRequest, m: Motion, **bound: Any) -> dict[str, Any]:
    from .workflows import MOTION

    user = request.user
    ctx = wf.page_context(user, m)
    ctx["workflow_actions"] = [t for t in ctx["workflow_actions"] if t.name in MOTION_BUTTONS]
    signatures = list(m.signatures.select_related("deputy", "deputy__region"))
    forms: dict[str, Any] = {}
    can_edit = perms.can_edit_draft(user, m)
    if can_edit:
        forms["invite"] = InviteForm(subject=m)
    if perms.can_decide_motion(user, m):
        forms["decide"] = DecideForm(initial={"expected_state": m.state})
    forms.update(bound)
    ctx.update(
        m=m,
        signatures=signatures,
        forms=forms,
        can_edit=can_edit,
        confirmed=sum(1 for s in signatures if s.confirmed_at),
        needed=services.RULES.min_signers(m.term.level),
        my_signature=perms.my_signature(user, m),
        attachments=list(m.attachments.all()),
        action_url=reverse("suggestions:motion_transition", args=[m.pk]),
        converted=getattr(m, "converted_suggestion", None) if m.state == "converted" else None,
        workflow_name=MOTION.name,
    )
    return ctx


def _motion_detail(request: HttpRequest, m: Motion, **bound: Any) -> HttpResponse:
    return render(request, "suggestions/motion_detail.html", _motion_context(request, m, **bound))


@role_required(Role.STAFF, Role.SC_MEMBER, Role.DEPUTY)
def motion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _motion_detail(request, perms.get_motion_for_user(request.user, pk))


@role_required(*READERS)
def motion_list(request: HttpRequest) -> HttpResponse:
    qs = (
        perms.visible_motions(request.user)
        .select_related("lead_deputy", "sitting")
        .annotate(signers=Count("signatures", filter=Q(signatures__confirmed_at__isnull=False)))
        .order_by("-created_at")
    )
    state = request.GET.get("state", "")
    if state:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    from .workflows import MOTION

    return render(
        request,
        "suggestions/motion_list.html",
        {"page": page, "states": MOTION.choices, "state": state, "query": f"state={state}"},
    )


@role_required(Role.DEPUTY)
def motion_create(request: HttpRequest) -> HttpResponse:
    deputy = perms.deputy_of(request.user)
    if deputy is None or not perms.can_submit(request.user):
        raise PermissionDenied("您的账号尚未关联在任代表档案。")
    form = MotionForm(request.POST or None)
    sitting = services.open_sitting(deputy.term)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        m = _attempt(form, lambda: services.create_motion(actor=request.user, deputy=deputy, **d))
        if m is not None:
            messages.success(request, "议案草稿已保存。请邀请代表联名，确认人数够后提交。")
            return redirect("suggestions:motion_detail", m.pk)
    return render(
        request,
        "suggestions/motion_form.html",
        {
            "form": form,
            "sitting": sitting,
            "title": "提出议案",
            "needed": services.RULES.min_signers(deputy.term.level),
        },
    )


@role_required(Role.DEPUTY)
def motion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    m = perms.get_motion_for_user(request.user, pk)
    if not perms.can_edit_draft(request.user, m):
        raise PermissionDenied("只有领衔代表可以修改自己的议案草稿。")
    form = MotionForm(
        request.POST or None,
        initial={"title": m.title, "cause": m.cause, "basis": m.basis, "plan": m.plan},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            form, lambda: services.update_motion(actor=request.user, motion=m, **form.cleaned_data)
        )
    ):
        messages.success(request, "议案草稿已保存。")
        return redirect("suggestions:motion_detail", m.pk)
    return render(
        request, "suggestions/motion_form.html", {"form": form, "title": "修改议案", "object": m}
    )


@role_required(Role.DEPUTY)
@require_POST
def motion_submit(request: HttpRequest, pk: int) -> HttpResponse:
    m = perms.get_motion_for_user(request.user, pk)
    if not perms.can_edit_draft(request.user, m):
        raise PermissionDenied("只有领衔代表可以提交议案。")
    try:
        services.submit_motion(actor=request.user, motion=m)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"议案已提交，编号 {m.code}，等待主席团决定。")
    return redirect("suggestions:motion_detail", m.pk)


@role_required(Role.DEPUTY)
@require_POST
def motion_invite(request: HttpRequest, pk: int) -> HttpResponse:
    m = perms.get_motion_for_user(request.user, pk)
    if not perms.can_edit_draft(request.user, m):
        raise PermissionDenied("只有领衔代表可以邀请联名。")
    form = InviteForm(request.POST, subject=m)
    if form.is_valid() and _attempt(
        form,
        lambda: services.invite_cosigner(
            actor=request.user, subject=m, deputy=form.cleaned_data["deputy"]
        ),
    ):
        messages.success(request, f"已邀请 {form.cleaned_data['deputy'].name} 代表联名。")
        return redirect("suggestions:motion_detail", m.pk)
    return _motion_detail(request, m, invite=form)


@role_required(Role.DEPUTY)
@require_POST
def motion_cosign(request: HttpRequest, pk: int) -> HttpResponse:
    return _respond(
        request, perms.get_motion_for_user(request.user, pk), "suggestions:motion_detail"
    )


@role_required(Role.STAFF)
@require_POST
def motion_decide(request: HttpRequest, pk: int) -> HttpResponse:
    m = perms.get_motion_for_user(request.user, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if _attempt(
            form,
            lambda: services.decide_motion(
                actor=request.user,
                motion=m,
                decision=d["decision"],
                note=d["note"],
                committee=d["committee"],
                expected_state=d["expected_state"] or None,
            ),
        ):
            messages.success(
                request, f"已记录主席团决定：{services.MOTION_DECISIONS[d['decision']]}。"
            )
            return redirect("suggestions:motion_detail", m.pk)
    return _motion_detail(request, m, decide=form)


@role_required(Role.DEPUTY, Role.STAFF)
@require_POST
def motion_transition(request: HttpRequest, pk: int) -> HttpResponse:
    m = perms.get_motion_for_user(request.user, pk)
    if request.POST.get("transition") not in MOTION_BUTTONS:
        messages.error(request, "该操作需要在对应的表单中办理。")
        return redirect("suggestions:motion_detail", m.pk)
    wf.apply_posted_transition(request, m)
    return redirect("suggestions:motion_detail", m.pk)


# --- sittings ---------------------------------------------------------------------------------


@role_required(Role.STAFF)
def sittings(request: HttpRequest) -> HttpResponse:
    form = SittingForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(form, lambda: services.create_sitting(actor=request.user, **form.cleaned_data))
    ):
        messages.success(request, "会议已登记。")
        return redirect("suggestions:sittings")
    rows = Sitting.objects.select_related("term__congress").annotate(
        n_suggestions=Count("suggestions", distinct=True), n_motions=Count("motions", distinct=True)
    )
    return render(request, "suggestions/sittings.html", {"form": form, "sittings": rows})


# --- statistics ----------------------------------------------------------------------------------


def _stats(request: HttpRequest) -> tuple[StatsForm, dict[str, Any]]:
    form = StatsForm(request.GET or None)
    term_id = year = None
    if form.is_valid():
        term_id = form.cleaned_data["term"].pk if form.cleaned_data["term"] else None
        year = form.cleaned_data["year"]
    return form, {"term_id": term_id, "year": year}


@role_required(*READERS)
def stats(request: HttpRequest) -> HttpResponse:
    form, scope = _stats(request)
    units = selectors.stats_by_unit(**scope)
    fields = selectors.stats_by_field(**scope)
    delegations = selectors.stats_by_delegation(**scope)
    classes = {c: sum((u.classes or {}).get(c, 0) for u in units) for c in "ABCD"}
    top = units[:20]
    chart = {
        "units": [u.name for u in top],
        "onTime": [round((u.on_time_rate or 0) * 100, 1) for u in top],
        "satisfaction": [round((u.satisfaction_rate or 0) * 100, 1) for u in top],
        "classes": [{"name": f"{c}类", "value": n} for c, n in classes.items()],
        "fields": [f["label"] for f in fields],
        "fieldTotals": [f["total"] for f in fields],
    }
    query = request.GET.copy()
    query.pop("table", None)
    return render(
        request,
        "suggestions/stats.html",
        {
            "form": form,
            "units": units,
            "fields": fields,
            "delegations": delegations,
            "chart": chart,
            "classes": classes,
            "query": query.urlencode(),
        },
    )


@role_required(*READERS)
def stats_export(request: HttpRequest) -> HttpResponse:
    _, scope = _stats(request)
    table = request.GET.get("table", "unit")
    rows: list[list[Any]]
    if table == "field":
        headers = ["分类", "件数", "已答复", "已办结", "重点督办", "满意和基本满意", "已评价"]
        rows = [
            [
                f["label"],
                f["total"],
                f["answered"],
                f["closed"],
                f["key"],
                f["satisfied"],
                f["rated"],
            ]
            for f in selectors.stats_by_field(**scope)
        ]
    elif table == "delegation":
        headers = [
            "代表团（组）",
            "件数",
            "领衔代表人数",
            "已答复",
            "已办结",
            "满意和基本满意",
            "已评价",
        ]
        rows = [
            [
                d["label"],
                d["total"],
                d["deputies"],
                d["answered"],
                d["closed"],
                d["satisfied"],
                d["rated"],
            ]
            for d in selectors.stats_by_delegation(**scope)
        ]
    else:
        headers = [
            "承办单位",
            "承办件数",
            "首次答复",
            "按期答复",
            "逾期未答复",
            "按期答复率",
            "A类",
            "B类",
            "C类",
            "D类",
            "已评价",
            "满意",
            "基本满意",
            "不满意",
            "满意率（含基本满意）",
        ]
        rows = [
            [
                u.name,
                u.assigned,
                u.replied_first,
                u.on_time_first,
                u.overdue_open,
                _pct(u.on_time_rate),
                *[(u.classes or {}).get(c, 0) for c in "ABCD"],
                u.rated,
                u.satisfied,
                u.basic,
                u.dissatisfied,
                _pct(u.satisfaction_rate),
            ]
            for u in selectors.stats_by_unit(**scope)
        ]
    audit.record(actor=request.user, action="suggestion.stats_export", details={"table": table})
    return xlsx_response(
        "办理统计",
        headers,
        rows,
        filename=f"建议办理统计-{table}-{timezone.localdate():%Y%m%d}.xlsx",
    )


# --- duty records and scores -------------------------------------------------------------------------


def _deputy_for_report(request: HttpRequest, pk: int) -> Deputy:
    qs = Deputy.objects.select_related("term", "region", "delegation")
    if perms.is_reader(request.user):
        return get_object_or_404(qs, pk=pk)
    deputy = perms.deputy_of(request.user)
    if deputy is None or deputy.pk != pk:
        raise Http404("没有找到该代表的履职报告")
    return qs.get(pk=pk)


def _report_context(deputy: Deputy, year: int) -> dict[str, Any]:
    return {
        "deputy": deputy,
        "year": year,
        "score": scoring.deputy_score(deputy, year),
        "records": list(
            DutyRecord.objects.filter(deputy=deputy, occurred_on__year=year).order_by("occurred_on")
        ),
        "suggestions": list(
            Suggestion.objects.filter(lead_deputy=deputy, submitted_at__year=year).order_by(
                "submitted_at"
            )
        ),
        "motions": list(Motion.objects.filter(signatures__deputy=deputy, submitted_at__year=year)),
        "evaluations": Evaluation.objects.filter(deputy=deputy, created_at__year=year).count(),
    }


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@role_required(Role.DEPUTY)
def duty_me(request: HttpRequest) -> HttpResponse:
    deputy = perms.deputy_of(request.user)
    if deputy is None:
        return render(request, "deputies/me_missing.html", status=404)
    year = _year(request)
    page = Paginator(DutyRecord.objects.filter(deputy=deputy), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "suggestions/duty_me.html",
        {
            "deputy": deputy,
            "year": year,
            "score": scoring.deputy_score(deputy, year),
            "page": page,
            "query": f"year={year}",
        },
    )


@role_required(Role.STAFF, Role.SC_MEMBER, Role.DEPUTY)
def duty_report(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    deputy = _deputy_for_report(request, pk)
    return render(request, "suggestions/duty_report.html", _report_context(deputy, year))


@role_required(Role.STAFF, Role.SC_MEMBER, Role.DEPUTY)
def duty_report_docx(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    deputy = _deputy_for_report(request, pk)
    content = letters.duty_report(_report_context(deputy, year))
    return letters.docx_response(content, f"{deputy.name}-{year}年度履职报告.docx")


@role_required(Role.STAFF)
def duty_add(request: HttpRequest) -> HttpResponse:
    form = DutyRecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        record = _attempt(
            form,
            lambda: services.add_duty_record(
                actor=request.user,
                deputy=d["deputy"],
                kind=d["kind"],
                occurred_on=d["occurred_on"],
                title=d["title"],
                details=d["details"],
                evidence=d["evidence"],
            ),
        )
        if record is not None:
            messages.success(request, f"已为 {d['deputy'].name} 登记履职记录。")
            return redirect("suggestions:duty_add")
    recent = (
        DutyRecord.objects.select_related("deputy").exclude(created_by=None).order_by("-id")[:20]
    )
    return render(request, "suggestions/duty_add.html", {"form": form, "recent": recent})


def _ranking(
    request: HttpRequest,
) -> tuple[RankingForm, list[scoring.Ranked], list[dict[str, Any]], int, str]:
    form = RankingForm(request.GET or None)
    year, group = timezone.localdate().year, "delegation"
    deputies = Deputy.objects.filter(status=Deputy.Status.ACTIVE, term__is_current=True)
    if form.is_valid():
        d = form.cleaned_data
        year = d["year"] or year
        group = d["group"] or group
        if d["delegation"]:
            deputies = deputies.filter(delegation=d["delegation"])
        if d["region"]:
            deputies = deputies.filter(region=d["region"])
    rows = scoring.ranking(deputies, year)

    def by_group(dep: Deputy) -> str:
        if group == "region":
            return dep.region.name
        return dep.delegation.name if dep.delegation else "未编团"

    return form, rows, scoring.group_summary(rows, by_group), year, group


@role_required(*READERS)
def rankings(request: HttpRequest) -> HttpResponse:
    form, rows, groups, year, group = _ranking(request)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    chart = {
        "labels": [g["label"] for g in groups],
        "values": [float(g["average"]) for g in groups],
    }
    return render(
        request,
        "suggestions/rankings.html",
        {
            "form": form,
            "page": page,
            "groups": groups,
            "year": year,
            "group": group,
            "query": query.urlencode(),
            "chart": chart,
        },
    )


@role_required(*READERS)
def rankings_export(request: HttpRequest) -> HttpResponse:
    _, rows, _, year, _ = _ranking(request)
    audit.record(actor=request.user, action="suggestion.rankings_export", details={"year": year})
    return xlsx_response(
        "履职积分排名",
        ["名次", "姓名", "代表团（组）", "乡镇（街道）", "履职记录", "积分"],
        (
            [
                r.rank,
                r.deputy.name,
                r.deputy.delegation.name if r.deputy.delegation else "",
                r.deputy.region.name,
                r.records,
                r.score,
            ]
            for r in rows
        ),
        filename=f"履职积分排名-{year}.xlsx",
    )


@role_required(Role.STAFF)
def score_rules(request: HttpRequest) -> HttpResponse:
    form = ScoreRuleForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            form, lambda: services.create_score_rule(actor=request.user, **form.cleaned_data)
        )
    ):
        messages.success(request, "已新增积分规则版本。")
        return redirect("suggestions:score_rules")
    today = timezone.localdate()
    current = {
        rule.pk
        for versions in scoring.rules_by_kind().values()
        if (rule := scoring.rule_on(versions, today)) is not None
    }
    return render(
        request,
        "suggestions/score_rules.html",
        {"form": form, "rules": ScoreRule.objects.all(), "current": current},
    )
