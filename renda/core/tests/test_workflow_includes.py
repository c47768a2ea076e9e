"""The two reusable workflow includes: the timeline and the action buttons."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from renda.core import workflow
from renda.core.models import ImportBatch

from .workflow_support import S, bind, freeze, make_batch


@pytest.fixture(autouse=True)
def bound(monkeypatch: pytest.MonkeyPatch) -> None:
    bind(monkeypatch)


def timeline(user: Any, batch: ImportBatch) -> str:
    return render_to_string(
        "core/includes/workflow_timeline.html", workflow.page_context(user, batch)
    )


def actions(user: Any, batch: ImportBatch) -> str:
    context = {**workflow.page_context(user, batch), "action_url": "/batches/1/transition/"}
    request = RequestFactory().get("/batches/1/")  # with a request, {% csrf_token %} renders
    request.user = user
    return render_to_string("core/includes/workflow_actions.html", context, request=request)


def test_the_timeline_shows_time_actor_label_note_and_due_date(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = make_batch(world)
    freeze(monkeypatch, 2026, 9, 30, 14, 3)
    workflow.apply_transition(
        actor=world.staff, obj=batch, transition="start", note="第一批\n共 20 行"
    )
    html = timeline(world.staff, batch)
    assert "2026-09-30 14:03" in html and "测试staff" in html and "开始导入" in html
    assert "第一批<br>共 20 行" in html
    assert "期限至 2026-10-09" in html and "办理期限：2026-10-09 23:59" in html
    assert "逾期" not in html
    assert 'data-testid="workflow-state">导入中<' in html


def test_an_overdue_item_is_red_and_says_overdue(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = make_batch(world)
    freeze(monkeypatch, 2026, 9, 30, 14, 3)
    workflow.apply_transition(actor=world.staff, obj=batch, transition="start")
    freeze(monkeypatch, 2026, 10, 12, 9, 0)
    html = timeline(world.staff, batch)
    due = re.search(
        r'<span class="([^"]*)" data-testid="workflow-due">(.*?)</span>\s*</span>', html, re.S
    )
    assert due is not None and "text-danger" in due[1] and "逾期" in due[2]
    # A late action is marked on its own line too.
    workflow.apply_transition(actor=world.data_provider, obj=batch, transition="finish")
    html = timeline(world.staff, batch)
    assert (
        html.count("逾期") == 1 and "text-danger fw-bold" not in html
    )  # closed: only the late mark


def test_an_empty_history_says_so(world: Any) -> None:
    assert "暂无办理记录" in timeline(world.staff, make_batch(world))


def test_the_actions_are_one_post_form_per_available_transition(world: Any) -> None:
    batch = make_batch(world)
    html = actions(world.staff, batch)
    assert html.count("<form") == 2 and 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert ">开始导入</button>" in html and ">放弃</button>" in html
    assert f'name="expected_state" value="{S.READY}"' in html
    # 放弃 needs a reason: its textarea is required; 开始导入's note is optional.
    assert re.search(r'id="note-discard"[^>]*placeholder="放弃理由（必填）" required', html)
    assert re.search(r'id="note-start"[^>]*placeholder="说明（选填）"></textarea>', html)


def test_a_user_with_no_available_action_gets_no_buttons(world: Any) -> None:
    assert actions(world.handling_officer, make_batch(world)).strip() == ""
