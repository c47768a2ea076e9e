"""A server restart in the middle of a sitting, through the examinee's pages (the e2e test
e2e/test_exam_restart.py kills a real server; here the clock is moved instead): a new process
knows only the database and the session, so the remaining time it shows is the stored deadline
minus its own clock — the time the server was down is spent, not paused, not given back — the
start page does not start again, an extension given before the restart is kept, and a server
that comes back after the deadline submits the attempt with the answers saved before it went
down and refuses the late ones."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renda.exams.models import (
    Attempt,
    AttemptEvent,
    AttemptState,
    EventKind,
    SubmitReason,
)
from renda.exams.services import attempts as services

from .attempt_setup import INSIDE, answers_of, enrolment_of, open_sitting, right_value

pytestmark = pytest.mark.django_db
TICK = 5  # seconds the real clock may move on between two requests of a test (busy machine)


def _url(name: str, enrolment: Any) -> str:
    return reverse(f"exams:{name}", args=[enrolment.pk])


def _page(client_for: Any) -> Client:
    client = client_for("nominee")
    client.defaults["REMOTE_ADDR"] = INSIDE
    return client


def _after_restart(client: Client) -> Client:
    """The same browser talking to a new server process: only its cookies carry over."""
    fresh = Client(REMOTE_ADDR=INSIDE)
    fresh.cookies = client.cookies
    return fresh


def _started(world: Any, client_for: Any) -> tuple[Client, Any, Any]:
    sitting = open_sitting(world.staff, [world.nominee])
    enrolment = enrolment_of(sitting, world.nominee)
    client = _page(client_for)
    assert (
        client.post(_url("attempt", enrolment), {"password": sitting.password}).status_code == 302
    )
    return client, sitting, enrolment


def _save_all(client: Client, enrolment: Any) -> dict[int, tuple[int, Any]]:
    attempt = Attempt.objects.get(enrolment=enrolment)
    acked = {}
    for answer in answers_of(attempt):
        response = client.post(
            _url("attempt_save", enrolment),
            {"q": answer.order, "v": 0, "value": json.dumps(right_value(answer))},
        )
        assert response.status_code == 200
        body = response.json()
        acked[answer.order] = (body["version"], body["value"])
    return acked


def test_the_time_a_server_is_down_is_spent_not_paused_nor_given_back(
    world: Any, client_for: Any
) -> None:
    client, sitting, enrolment = _started(world, client_for)
    acked = _save_all(client, enrolment)
    attempt = Attempt.objects.get(enrolment=enrolment)
    started_at, deadline = attempt.started_at, attempt.deadline
    assert deadline is not None
    before = client.get(_url("attempt_state", enrolment)).json()["remaining"]
    assert 3590 <= before <= 3600

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):  # down for ten minutes
        page = _after_restart(client)
        state = page.get(_url("attempt_state", enrolment)).json()
        left = (deadline - timezone.now()).total_seconds()
        assert state["state"] == AttemptState.IN_PROGRESS
        assert left - 1 <= state["remaining"] <= left + TICK
        # The ten minutes are gone (and the test's own seconds, on a slow machine).
        assert before - 600 - TICK <= state["remaining"] <= before - 600 + 1
        saved = {int(q): (a["version"], a["value"]) for q, a in state["answers"].items()}
        assert saved == acked
        # The start page again (a reload, or the password typed again): no new start.
        again = page.post(_url("attempt", enrolment), {"password": sitting.password})
        assert again.status_code == 200
        assert 0 <= state["remaining"] - again.context["remaining"] <= TICK
        paper = page.get(_url("attempt", enrolment))
        assert paper.status_code == 200  # the clock ticks on while the test runs
        assert 0 <= state["remaining"] - paper.context["remaining"] <= TICK
    attempt.refresh_from_db()
    assert (attempt.started_at, attempt.deadline) == (started_at, deadline)
    assert AttemptEvent.objects.filter(attempt=attempt, kind=EventKind.START).count() == 1
    assert AttemptEvent.objects.filter(attempt=attempt, kind=EventKind.RESUME).exists()


def test_an_extension_given_before_the_restart_is_kept_and_not_given_twice(
    world: Any, client_for: Any
) -> None:
    client, _, enrolment = _started(world, client_for)
    attempt = Attempt.objects.select_related("enrolment__sitting").get(enrolment=enrolment)
    assert attempt.deadline is not None
    original = attempt.deadline
    services.extend_attempt(actor=world.staff, attempt=attempt, minutes=5, reason="手机没电")
    extended = Attempt.objects.get(pk=attempt.pk).deadline
    assert extended == original + dt.timedelta(minutes=5)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        page = _after_restart(client)
        remaining = page.get(_url("attempt_state", enrolment)).json()["remaining"]
        assert extended is not None
        now = services.remaining_seconds(Attempt.objects.get(pk=attempt.pk))
        assert 0 <= remaining - now <= TICK
        assert 63 * 60 - TICK <= remaining <= 63 * 60
        page.get(_url("attempt", enrolment))  # the paper page resumes
    assert Attempt.objects.get(pk=attempt.pk).deadline == extended


def test_a_server_back_after_the_deadline_submits_what_was_saved_and_refuses_the_rest(
    world: Any, client_for: Any
) -> None:
    client, _, enrolment = _started(world, client_for)
    acked = _save_all(client, enrolment)
    attempt = Attempt.objects.get(enrolment=enrolment)
    assert attempt.deadline is not None
    grace = services.grace_seconds()
    with time_machine.travel(attempt.deadline + dt.timedelta(seconds=grace + 60)):
        page = _page(client_for)  # over half an hour later: the old session idled out
        late = page.post(_url("attempt_save", enrolment), {"q": 1, "v": 1, "value": "null"})
        assert late.status_code == 403 and late.json()["state"] == AttemptState.SUBMITTED
        state = page.get(_url("attempt_state", enrolment)).json()
    assert state["remaining"] == 0
    assert {int(q): (a["version"], a["value"]) for q, a in state["answers"].items()} == acked
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED
    assert attempt.submit_reason == SubmitReason.TIMEOUT
    # Submitted at the server's clock when it came back; graded on the answers saved before.
    assert attempt.submitted_at is not None and attempt.submitted_at > attempt.deadline
    assert attempt.objective_score is not None and attempt.objective_score > 0
    assert AttemptEvent.objects.filter(attempt=attempt, kind=EventKind.LATE_SAVE).count() == 1
