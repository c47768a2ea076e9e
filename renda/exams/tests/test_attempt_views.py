"""The examinee's pages and JSON: start with the room's password from the room's network,
the paper in the examinee's own order with their saved answers (after a reload too), saves
through plain POSTs (the benchmark's request shape, CSRF included) in a bounded number of
queries; nobody sees the key, another examinee's paper, or a question outside their paper;
staff cannot sit; late saves are refused."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from renda.conftest import login
from renda.exams.models import Answer, Attempt, AttemptEvent, AttemptState, EventKind

from .attempt_setup import (
    INSIDE,
    OUTSIDE,
    SECRET,
    answers_of,
    enrolment_of,
    open_sitting,
    right_value,
    start,
)
from .builders import nominees

pytestmark = pytest.mark.django_db


def _client(client_for: Any, persona: str, ip: str = INSIDE) -> Client:
    client = client_for(persona)
    client.defaults["REMOTE_ADDR"] = ip
    return client


def _url(name: str, enrolment: Any) -> str:
    return reverse(f"exams:{name}", args=[enrolment.pk])


def _no_key(text: str) -> None:
    assert SECRET not in text
    assert "weight" not in text and "accepted" not in text and "truth" not in text


def test_a_nominee_starts_answers_reloads_and_submits(world: Any, client_for: Any) -> None:
    sitting = open_sitting(world.staff, [world.nominee])
    enrolment = enrolment_of(sitting, world.nominee)
    client = _client(client_for, "nominee")
    mine = client.get(reverse("exams:my_exams")).content.decode()
    assert "开始考试" in mine and _url("attempt", enrolment) in mine
    page = client.get(_url("attempt", enrolment)).content.decode()
    assert "考场口令" in page and "题干" not in page  # no question before the start
    wrong = client.post(_url("attempt", enrolment), {"password": "x"})
    assert wrong.status_code == 400 and "考场口令不正确" in wrong.content.decode()
    started = client.post(_url("attempt", enrolment), {"password": sitting.password})
    assert started.status_code == 302
    page = client.get(_url("attempt", enrolment)).content.decode()
    attempt = Attempt.objects.get()
    questions = answers_of(attempt)
    assert page.count('data-testid="question"') == len(questions) == 6
    _no_key(page)
    for answer in questions:  # in the examinee's frozen order, options as shown
        assert answer.question.version.stem in page
    first = questions[0]
    shown = [first.question.version.options[i]["text"] for i in first.question.option_order]
    positions = [page.index(text) for text in shown]
    assert positions == sorted(positions)
    saved = client.post(
        _url("attempt_save", enrolment),
        {"q": first.order, "v": 0, "value": json.dumps(right_value(first))},
    )
    assert saved.status_code == 200
    body = saved.json()
    assert body["ok"] and body["version"] == 1 and 3500 < body["remaining"] <= 3600
    _no_key(saved.content.decode())
    state = client.get(_url("attempt_state", enrolment))
    assert state.json()["answers"][str(first.order)] == {
        "version": 1,
        "value": right_value(first),
    }
    _no_key(state.content.decode())
    reloaded = client.get(_url("attempt", enrolment)).content.decode()
    assert f'data-q="{first.order}" data-type="single" data-version="1"' in reloaded
    assert AttemptEvent.objects.filter(kind=EventKind.RESUME).count() == 1
    assert "继续作答" in client.get(reverse("exams:my_exams")).content.decode()
    lost = client.post(_url("attempt_event", enrolment), {"kind": "lost"})
    assert lost.status_code == 200 and lost.json()["state"] == "in_progress"
    submitted = client.post(_url("attempt_submit", enrolment))
    assert submitted.status_code == 302
    done = client.get(_url("attempt", enrolment)).content.decode()
    assert "已交卷" in done and "成绩经评阅" in done
    _no_key(done)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED and attempt.focus_lost == 1
    assert "已交卷" in client.get(reverse("exams:my_exams")).content.decode()
    late = client.post(_url("attempt_save", enrolment), {"q": first.order, "v": 1, "value": "1"})
    assert late.status_code == 403


def test_the_start_page_says_why_not_in_chinese(world: Any, client_for: Any) -> None:
    sitting = open_sitting(world.staff, [world.nominee])
    enrolment = enrolment_of(sitting, world.nominee)
    outside = _client(client_for, "nominee", ip=OUTSIDE)
    page = outside.get(_url("attempt", enrolment)).content.decode()
    assert "不在本考场允许的范围内" in page and OUTSIDE in page
    refused = outside.post(_url("attempt", enrolment), {"password": sitting.password})
    assert refused.status_code == 400 and not Attempt.objects.filter(state="in_progress")
    with time_machine.travel(sitting.ends_at + dt.timedelta(minutes=1)):
        inside = _client(client_for, "nominee")
        assert "本场考试已经结束" in inside.get(_url("attempt", enrolment)).content.decode()


def test_nobody_else_reaches_an_examinees_paper(world: Any, client_for: Any) -> None:
    other = nominees(1)[0]
    other.must_change_password = False
    other.save(update_fields=["must_change_password"])
    sitting = open_sitting(world.staff, [world.nominee, other])
    start(sitting, world.nominee)
    enrolment = enrolment_of(sitting, world.nominee)
    stranger = login(Client(REMOTE_ADDR=INSIDE), other)
    for name in ("attempt", "attempt_state"):
        assert stranger.get(_url(name, enrolment)).status_code == 404
    for name, data in (
        ("attempt_save", {"q": 1, "v": 0, "value": "0"}),
        ("attempt_event", {"kind": "lost"}),
        ("attempt_submit", {}),
    ):
        assert stranger.post(_url(name, enrolment), data).status_code == 404
    staff = _client(client_for, "staff")
    assert staff.get(_url("attempt", enrolment)).status_code == 403
    assert staff.post(_url("attempt", enrolment), {"password": sitting.password}).status_code == 403
    nominee = _client(client_for, "nominee")
    proctor = reverse("exams:proctor", args=[sitting.pk])
    assert nominee.get(proctor).status_code == 403
    attempt = Attempt.objects.get(enrolment=enrolment)
    extend = reverse("exams:proctor_extend", args=[sitting.pk, attempt.pk])
    assert nominee.post(extend, {"minutes": 30, "reason": "自己"}).status_code == 403
    assert nominee.post(_url("attempt_save", enrolment), {"q": 99, "v": 0}).status_code == 404
    assert Answer.objects.filter(attempt=attempt, version__gt=0).count() == 0


def test_a_save_is_a_plain_post_with_csrf_and_a_few_queries(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    sitting = open_sitting(world.staff, [world.nominee])
    attempt = start(sitting, world.nominee)
    enrolment = attempt.enrolment
    client = login(Client(enforce_csrf_checks=True, REMOTE_ADDR=INSIDE), world.nominee)
    token = "b" * 32
    client.cookies["csrftoken"] = token
    url = _url("attempt_save", enrolment)
    assert client.post(url, {"q": 1, "v": 0, "value": "null"}).status_code == 403  # no token
    # session, user, attempt, answer, the attempt's row lock, the conditional UPDATE, the
    # event row (the last three in one transaction: a savepoint pair under the test's own
    # transaction), and the session's own save (once a minute) inside its pair.
    for version in range(3):
        with django_assert_max_num_queries(12):
            response = client.post(
                url, {"q": 1, "v": version, "value": "null"}, headers={"X-CSRFToken": token}
            )
        assert response.status_code == 200 and response.json()["version"] == version + 1
    stale = client.post(url, {"q": 1, "v": 0, "value": "null"}, headers={"X-CSRFToken": token})
    assert stale.status_code == 409 and stale.json()["version"] == 3
    bad = client.post(url, {"q": 1, "v": 3, "value": "{oops"}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400


def test_late_saves_over_http_are_refused(world: Any, client_for: Any) -> None:
    sitting = open_sitting(world.staff, [world.nominee])
    attempt = start(sitting, world.nominee)
    url = _url("attempt_save", attempt.enrolment)
    assert attempt.deadline is not None
    with time_machine.travel(attempt.deadline + dt.timedelta(seconds=30)):
        client = _client(client_for, "nominee")  # a fresh session: the old one idled out
        response = client.post(url, {"q": 1, "v": 0, "value": "0"})
        assert response.status_code == 403 and "考试时间已到" in response.json()["error"]
        assert response.json()["state"] == "submitted"
        page = client.get(_url("attempt", attempt.enrolment)).content.decode()
    assert "到时自动交卷" in page
    assert AttemptEvent.objects.filter(kind=EventKind.LATE_SAVE).count() == 1
