"""Marking (阅卷) and the administrator's release and regrade pages.

A grader's pages are blind: they name the paper by its code (services.grading.paper_code),
never the examinee's name, account, slip number or seat, and show only the question, the
reference answer and the examinee's text. The administrator releases the sitting's results
(nothing is shown to a nominee before) and regrades after a corrected key: the page is the
dry run, the button applies it."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import BootstrapForm, attempt
from renda.core.roles import Duty, duty_required

from ..models import GraderMark
from ..permissions import get_grading_sitting_for_user, get_sitting_for_user
from ..services import grading as grading_services


class MarkForm(BootstrapForm):
    score = forms.DecimalField(label="给分", min_value=0, max_digits=5, decimal_places=2)
    comment = forms.CharField(
        label="评语", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@duty_required(Duty.EXAMS)
def grading_queue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sitting = get_grading_sitting_for_user(request.user, pk)
    queue = grading_services.grading_queue(sitting, request.user)
    answers = grading_services.short_answers(sitting)
    return render(
        request,
        "exams/grading_queue.html",
        {
            "sitting": sitting,
            "queue": queue,
            "total": answers.count(),
            "done": answers.filter(score__isnull=False).count(),
            "menu": "sittings",
        },
    )


@duty_required(Duty.EXAMS)
def grading_mark(request: AuthenticatedRequest, pk: int, answer: int) -> HttpResponse:
    sitting = get_grading_sitting_for_user(request.user, pk)
    row = get_object_or_404(
        grading_services.short_answers(sitting).select_related("question__version"), pk=answer
    )
    if row.score is not None or GraderMark.objects.filter(answer=row, grader=request.user).exists():
        raise Http404("这道题不在您的评阅任务中。")
    form = MarkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: grading_services.mark_answer(
                actor=request.user,
                answer=row,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            ),
        )
        if done is not None:
            return redirect("exams:grading_queue", sitting.pk)
    version = row.question.version
    return render(
        request,
        "exams/grading_mark.html",
        {
            "sitting": sitting,
            "answer": row,
            "code": grading_services.paper_code(row.attempt_id),
            "stem": version.stem,
            "reference": (version.answer or {}).get("reference", ""),
            "text": row.value if isinstance(row.value, str) else "",
            "max_score": row.question.score,
            "form": form,
            "menu": "sittings",
        },
    )


@require_POST
@duty_required(Duty.EXAMS)
def results_release(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sitting = get_sitting_for_user(request.user, pk)
    return run_action(
        request,
        lambda: grading_services.release_results(actor=request.user, sitting=sitting),
        then=reverse("exams:results_sitting", args=[sitting.pk]),
        done="成绩已发布，考生可以在“我的考试”中查看。",
    )


@duty_required(Duty.EXAMS)
def grading_regrade(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sitting = get_sitting_for_user(request.user, pk)
    if request.method == "POST":
        return run_action(
            request,
            lambda: grading_services.apply_regrade(actor=request.user, sitting=sitting),
            then=reverse("exams:results_sitting", args=[sitting.pk]),
            done="已按更正后的答案重新评分。",
        )
    return render(
        request,
        "exams/grading_regrade.html",
        {
            "sitting": sitting,
            "changes": grading_services.regrade_plan(sitting),
            "menu": "sittings",
        },
    )
