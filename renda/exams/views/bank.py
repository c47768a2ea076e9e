"""The question bank's pages (staff, desktop): the list with filters, a question with its
version history, the edit form, status actions and the topic tree. Every page that shows
question content records who looked (services.record_*)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import attempt
from renda.core.params import int_param
from renda.core.roles import Duty, duty_required

from .. import services
from ..formats import FORMATS
from ..forms import QuestionForm, RenameTopicForm, TopicForm, initial_from
from ..models import QuestionStatus, QuestionType, Topic
from ..permissions import DENIED, can_manage_bank, get_question_for_user, get_topic_for_user
from ..selectors import bank_filters, bank_questions
from ..services.transfer import question_data


def _require(request: AuthenticatedRequest) -> None:
    if not can_manage_bank(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(DENIED)


@duty_required(Duty.EXAMS)
def bank(request: AuthenticatedRequest) -> HttpResponse:
    _require(request)
    filters = bank_filters(request.GET)
    page = Paginator(bank_questions(filters), 50).get_page(request.GET.get("page"))
    services.record_bank_list_view(
        actor=request.user, filters=filters, shown=[q.code for q in page]
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exams/bank.html",
        {
            "page": page,
            "filters": filters,
            "topics": Topic.objects.select_related("parent"),
            "types": QuestionType.choices,
            "statuses": QuestionStatus.choices,
            "difficulties": range(1, 6),
            "formats": [*((k, f.label) for k, f in FORMATS.items()), ("xlsx", "Excel")],
            "query": query.urlencode(),
            "menu": "bank",
        },
    )


@duty_required(Duty.EXAMS)
def question_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    question = get_question_for_user(request.user, pk)
    versions = list(question.versions.select_related("created_by"))
    number = int_param(request.GET, "version")
    shown = question.current
    if number is not None:
        shown = next((v for v in versions if v.number == number), None)
        if shown is None:
            raise Http404("没有这个版本")
    services.record_question_view(actor=request.user, question=question, version=shown)
    data = shown.to_data() if shown else None
    return render(
        request,
        "exams/question_detail.html",
        {
            "question": question,
            "version": shown,
            "data": data,
            "letters": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "versions": versions,
            "tags": [t.name for t in question.tags.all()],
            "menu": "bank",
        },
    )


@duty_required(Duty.EXAMS)
def question_create(request: AuthenticatedRequest) -> HttpResponse:
    _require(request)
    form = QuestionForm(request.POST or None, initial={"topic": int_param(request.GET, "topic")})
    if request.method == "POST" and form.is_valid():
        question = attempt(
            form,
            lambda: services.create_question(
                actor=request.user, topic=form.cleaned_data["topic"], data=form.to_data()
            ),
        )
        if question is not None:
            messages.success(request, f"已新建试题 {question.code}（草稿）。")
            return redirect("exams:question_detail", question.pk)
    return render(
        request,
        "exams/question_form.html",
        {"form": form, "title": "新建试题", "back_url": reverse("exams:bank"), "menu": "bank"},
    )


@duty_required(Duty.EXAMS)
def question_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    question = get_question_for_user(request.user, pk)
    initial = initial_from(question_data(question), question.topic) if question.current else {}
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: (
                services.edit_question(
                    actor=request.user,
                    question=question,
                    data=form.to_data(),
                    topic=form.cleaned_data["topic"],
                ),
            ),
        )
        if done is not None:
            version = done[0]
            messages.success(
                request,
                f"已保存为第 {version.number} 版。" if version else "内容没有变化，未生成新版本。",
            )
            return redirect("exams:question_detail", question.pk)
    elif request.method != "POST":
        services.record_question_view(
            actor=request.user, question=question, version=question.current
        )
    return render(
        request,
        "exams/question_form.html",
        {
            "form": form,
            "title": f"修改试题 {question.code}",
            "note": "保存后生成新版本；已组卷或已作答的试卷仍使用原来的版本。",
            "back_url": reverse("exams:question_detail", args=[question.pk]),
            "menu": "bank",
        },
    )


def _status_action(request: AuthenticatedRequest, pk: int, call: str, done: str) -> HttpResponse:
    question = get_question_for_user(request.user, pk)
    service = getattr(services, call)
    return run_action(
        request,
        lambda: service(actor=request.user, question=question),
        then=reverse("exams:question_detail", args=[question.pk]),
        done=done,
    )


@require_POST
@duty_required(Duty.EXAMS)
def question_ready(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, "mark_question_ready", "已设为可用，组卷时可以抽到。")


@require_POST
@duty_required(Duty.EXAMS)
def question_retire(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, "retire_question", "已停用，以后组卷不会再抽到。")


@require_POST
@duty_required(Duty.EXAMS)
def question_restore(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, "restore_question", "已恢复为草稿。")


@duty_required(Duty.EXAMS)
def topics(request: AuthenticatedRequest) -> HttpResponse:
    _require(request)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        topic = attempt(
            form,
            lambda: services.create_topic(
                actor=request.user,
                name=form.cleaned_data["name"],
                parent=form.cleaned_data["parent"],
                order=form.cleaned_data["order"] or 0,
            ),
        )
        if topic is not None:
            messages.success(request, f"已添加知识点“{topic.path_label}”。")
            return redirect("exams:topics")
    from django.db.models import Count

    tree = _tree(list(Topic.objects.annotate(question_count=Count("questions"))))
    return render(request, "exams/topics.html", {"form": form, "tree": tree, "menu": "topics"})


def _tree(nodes: list[Topic]) -> list[tuple[Topic, int]]:
    """Depth-first order with each topic's depth, for an indented list."""
    children: dict[int | None, list[Topic]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    out: list[tuple[Topic, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in children.get(parent, []):
            out.append((node, depth))
            walk(node.pk, depth + 1)

    walk(None, 0)
    return out


@duty_required(Duty.EXAMS)
def topic_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    topic = get_topic_for_user(request.user, pk)
    form = RenameTopicForm(request.POST or None, initial={"name": topic.name, "order": topic.order})
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.rename_topic(
                actor=request.user,
                topic=topic,
                name=form.cleaned_data["name"],
                order=form.cleaned_data["order"],
            ),
        )
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("exams:topics")
    return render(
        request,
        "exams/question_form.html",
        {
            "form": form,
            "title": f"修改知识点 {topic.path_label}",
            "back_url": reverse("exams:topics"),
            "menu": "topics",
        },
    )
