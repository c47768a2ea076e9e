"""The examinee's exam pages (phone first): the start page (window, network, the room's
password), the paper (one scrolling page with a question navigator), and the JSON endpoints
its script (static/exams/attempt.js) calls. Only the examinee's own paper is ever shown, in
their frozen order, and never a weight, key, explanation or article: grading happens on the
server at submission.

Save endpoint, for the browser and the benchmark alike::

    POST /exams/mine/<enrolment id>/exam/save/
    Cookie: sessionid=…; csrftoken=<token>        header X-CSRFToken: <token>
    form fields  q=<question number on the paper, 1…>  v=<version the value was based on>
                 value=<JSON: null | 2 | [0, 3] | true | "text">

    200 {"ok": true, "q": 3, "version": 5, "value": [0, 3], "remaining": 1712, "state": …}
    409 {"ok": false, "stale": true, "version": 6, "value": <the newer answer>, …}
    403 refused (after deadline + grace, wrong network, submitted), 400 bad value, 404 no such q

`remaining` (whole seconds) is the server's; the page only counts down between answers.
A save is a handful of queries (session, user, attempt, answer, one conditional UPDATE, one
event row): see tests/test_attempt_views.py for the bound."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.middleware import client_ip
from renda.core.roles import Role, role_required

from ..models import Answer, Attempt, AttemptState, QuestionType
from ..permissions import get_own_attempt, get_own_enrolment
from ..services import attempts as attempt_services

TYPE_HEADINGS = dict(QuestionType.choices)


def _questions(attempt: Attempt) -> list[dict[str, Any]]:
    """The paper as the examinee sees it: stems and option texts in the frozen order, and
    their own saved answers. Nothing else of the version leaves the server."""
    rows = []
    previous = None
    answers = Answer.objects.filter(attempt=attempt).select_related("question__version")
    for answer in answers.order_by("order"):
        question = answer.question
        version = question.version
        order = question.option_order or list(range(len(version.options or ())))
        rows.append(
            {
                "n": answer.order,
                "type": version.type,
                "heading": TYPE_HEADINGS[version.type] if version.type != previous else "",
                "stem": version.stem,
                "score": question.score,
                "options": [
                    (pos, chr(ord("A") + pos), version.options[i]["text"])
                    for pos, i in enumerate(order)
                ],
                "value": answer.value,
                "version": answer.version,
                "answered": answer.answered,
            }
        )
        previous = version.type
    return rows


@role_required(Role.NOMINEE)
def attempt(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    enrolment = get_own_enrolment(request.user, pk)
    ip = client_ip(request)
    current = Attempt.objects.filter(enrolment=enrolment).select_related("enrolment").first()
    if current is not None and current.state != AttemptState.NOT_STARTED:
        attempt_services.close_if_overdue(current)
        if current.state == AttemptState.SUBMITTED:
            return render(request, "exams/attempt_done.html", {"attempt": current, "e": enrolment})
        if request.session.pop("exam_just_started", None) != enrolment.pk:
            attempt_services.record_resume(actor=request.user, attempt=current, ip=ip)
        questions = _questions(current)
        return render(
            request,
            "exams/attempt_paper.html",
            {
                "attempt": current,
                "e": enrolment,
                "questions": questions,
                "answered": sum(1 for q in questions if q["answered"]),
                "remaining": attempt_services.remaining_seconds(current),
                "grace": attempt_services.grace_seconds(),
            },
        )
    errors: list[str] = []
    if request.method == "POST":
        try:
            attempt_services.start_attempt(
                actor=request.user,
                enrolment=enrolment,
                password=request.POST.get("password", "")[:20],
                ip=ip,
            )
        except ValidationError as refused:
            errors = refused.messages
        else:
            request.session["exam_just_started"] = enrolment.pk
            return redirect("exams:attempt", enrolment.pk)
    problems = attempt_services.entry_problems(enrolment, ip)
    return render(
        request,
        "exams/attempt_start.html",
        {"e": enrolment, "problems": problems, "errors": errors},
        status=200 if not errors else 400,
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


@require_POST
@role_required(Role.NOMINEE)
def attempt_save(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    current = get_own_attempt(request.user, pk)
    order, base = _int(request.POST.get("q")), _int(request.POST.get("v"))
    try:
        value = json.loads(request.POST.get("value", "null"))
    except ValueError:
        value = ...
    if order is None or base is None or value is ...:
        return JsonResponse({"ok": False, "error": "请求格式不正确"}, status=400)
    result = attempt_services.save_answer(
        actor=request.user,
        attempt=current,
        order=order,
        base_version=base,
        value=value,
        ip=client_ip(request),
    )
    return JsonResponse(result.as_json(), status=result.status)


@require_POST
@role_required(Role.NOMINEE)
def attempt_event(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    current = get_own_attempt(request.user, pk)
    kind = request.POST.get("kind")
    if kind not in ("lost", "back"):
        return JsonResponse({"ok": False, "error": "未知事件"}, status=400)
    attempt_services.record_focus(
        actor=request.user, attempt=current, lost=kind == "lost", ip=client_ip(request)
    )
    return JsonResponse(_state(current))


def _state(current: Attempt) -> dict[str, Any]:
    return {
        "ok": True,
        "state": current.state,
        "remaining": attempt_services.remaining_seconds(current),
    }


@require_GET
@role_required(Role.NOMINEE)
def attempt_state(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The timer's truth and the saved answers (a tab that was asleep catches up)."""
    current = get_own_attempt(request.user, pk)
    attempt_services.close_if_overdue(current)
    data = _state(current)
    data["answers"] = {
        str(order): {"version": version, "value": value}
        for order, version, value in current.answers.values_list("order", "version", "value")
    }
    return JsonResponse(data)


@require_POST
@role_required(Role.NOMINEE)
def attempt_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    current = get_own_attempt(request.user, pk)
    try:
        attempt_services.submit_attempt(actor=request.user, attempt=current, ip=client_ip(request))
    except ValidationError as refused:
        messages.error(request, "；".join(refused.messages))
    return redirect(reverse("exams:attempt", args=[pk]))
