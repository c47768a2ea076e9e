"""The proctor's page (exam administrators): who is in, how far each examinee is, time left
by the server's clock, 切屏 counts and the latest events; it refreshes itself with htmx
polling. One examinee's page lists their events and extends their time with a reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import BootstrapForm
from renda.core.roles import Duty, duty_required

from ..models import Attempt, AttemptEvent, AttemptState, EventKind
from ..permissions import get_sitting_attempt_for_user, get_sitting_for_user
from ..services import attempts as attempt_services

QUIET = (EventKind.SAVE,)  # too many to list; the answered count says it


class ExtendForm(BootstrapForm):
    minutes = forms.IntegerField(
        label="延长（分钟）",
        min_value=1,
        max_value=attempt_services.EXTENSION_MAX_MINUTES,
        initial=5,
    )
    reason = forms.CharField(label="原因", max_length=200, help_text="如：考生手机故障，更换设备")


def clock_label(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    hours, rest = divmod(seconds, 3600)
    return (f"{hours}:" if hours else "") + f"{rest // 60:02d}:{rest % 60:02d}"


def _rows(sitting: Any) -> list[dict[str, Any]]:
    enrolments = list(sitting.enrolments.select_related("user").order_by("seat"))
    # Subqueries, not joins: answers × events would multiply rows for every examinee.
    latest = AttemptEvent.objects.filter(attempt=OuterRef("pk")).order_by("-at", "-pk")
    attempts = {
        a.enrolment_id: a
        for a in Attempt.objects.filter(enrolment__sitting=sitting).annotate(
            answered_count=Count("answers", filter=Q(answers__answered=True)),
            question_count=Count("answers"),
            last_seen=Subquery(latest.values("at")[:1]),
            last_kind=Subquery(latest.exclude(kind__in=QUIET).values("kind")[:1]),
        )
    }
    now = timezone.now()
    rows = []
    for enrolment in enrolments:
        attempt = attempts.get(enrolment.pk)
        state = attempt.state if attempt else AttemptState.NOT_STARTED
        remaining = (
            attempt_services.remaining_seconds(attempt, now)
            if attempt and state == AttemptState.IN_PROGRESS
            else None
        )
        rows.append(
            {
                "e": enrolment,
                "a": attempt,
                "state": state,
                "state_label": AttemptState(state).label,
                "last_label": EventKind(attempt.last_kind).label
                if attempt and attempt.last_kind
                else "",
                "remaining": remaining,
                "remaining_label": clock_label(remaining),
            }
        )
    return rows


@duty_required(Duty.EXAMS)
def proctor(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sitting = get_sitting_for_user(request.user, pk)
    rows = _rows(sitting)
    context = {
        "sitting": sitting,
        "rows": rows,
        "counts": {
            label: sum(1 for r in rows if r["state"] == state)
            for state, label in AttemptState.choices
        },
        "now": timezone.now(),
        "menu": "sittings",
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "exams/includes/proctor_rows.html", context)
    return render(request, "exams/proctor.html", context)


@duty_required(Duty.EXAMS)
def proctor_attempt(request: AuthenticatedRequest, pk: int, attempt: int) -> HttpResponse:
    current = get_sitting_attempt_for_user(request.user, pk, attempt)
    attempt_services.close_if_overdue(current)
    events = AttemptEvent.objects.filter(attempt=current).exclude(kind__in=QUIET).order_by("-at")
    return render(
        request,
        "exams/proctor_attempt.html",
        {
            "sitting": current.enrolment.sitting,
            "a": current,
            "e": current.enrolment,
            "events": events[:200],
            "saves": AttemptEvent.objects.filter(attempt=current, kind=EventKind.SAVE).count(),
            "remaining": clock_label(attempt_services.remaining_seconds(current)),
            "form": ExtendForm(),
            "menu": "sittings",
        },
    )


@require_POST
@duty_required(Duty.EXAMS)
def proctor_extend(request: AuthenticatedRequest, pk: int, attempt: int) -> HttpResponse:
    current = get_sitting_attempt_for_user(request.user, pk, attempt)
    form = ExtendForm(request.POST)
    then = reverse("exams:proctor_attempt", args=[pk, current.pk])

    def extend() -> None:
        if not form.is_valid():
            raise forms.ValidationError([str(m) for errors in form.errors.values() for m in errors])
        attempt_services.extend_attempt(
            actor=request.user,
            attempt=current,
            minutes=form.cleaned_data["minutes"],
            reason=form.cleaned_data["reason"],
        )

    return run_action(request, extend, then=then, done="已延长该考生的作答时间。")
