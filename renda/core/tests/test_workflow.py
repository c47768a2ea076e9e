"""core.workflow on its own, with the test-only workflow of `workflow_support` (bound to
`core.ImportBatch`, see there why)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.test import RequestFactory

from renda.core import workflow
from renda.core.models import AuditEvent, ImportBatch, Notification, WorkflowEvent
from renda.core.workflow import State, Transition, TransitionNotAllowed, Workflow

from .workflow_support import CALLS, SHANGHAI, STAFF, TEST_WORKFLOW, S, bind, freeze, make_batch


@pytest.fixture(autouse=True)
def bind_workflow(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    bind(monkeypatch)
    yield


@pytest.fixture
def batch(world: Any) -> ImportBatch:
    return make_batch(world)


def workflow_audit() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith="workflow.").order_by("id"))


def assert_nothing_written(batch: ImportBatch, state: str) -> None:
    batch.refresh_from_db()
    assert batch.status == state
    assert not WorkflowEvent.objects.exists()
    assert not workflow_audit()


# --- applying -----------------------------------------------------------------------------


def test_an_allowed_transition_moves_the_state_and_writes_event_and_audit(
    world: Any, batch: ImportBatch
) -> None:
    event = workflow.apply_transition(
        actor=world.staff, obj=batch, transition="start", note=" 已核对 "
    )
    assert batch.status == S.COMMITTING  # the caller's object follows
    batch.refresh_from_db()
    assert batch.status == S.COMMITTING
    assert (event.workflow, event.transition, event.from_state, event.to_state) == (
        "test_import_batch",
        "start",
        S.READY,
        S.COMMITTING,
    )
    assert event.actor == world.staff and event.note == "已核对" and event.subject == batch
    [record] = workflow_audit()
    assert record.action == "workflow.test_import_batch.start"
    assert record.target_id == str(batch.pk) and record.actor == world.staff
    assert record.details["from"] == S.READY and record.details["event"] == event.pk


def test_a_transition_from_the_wrong_state_is_refused_and_writes_nothing(
    world: Any, batch: ImportBatch
) -> None:
    with pytest.raises(TransitionNotAllowed) as error:
        workflow.apply_transition(actor=world.data_provider, obj=batch, transition="finish")
    assert error.value.messages == ["当前状态为“待确认”，不能执行“完成导入”操作。"]
    assert_nothing_written(batch, S.READY)


def test_an_unknown_transition_is_refused(world: Any, batch: ImportBatch) -> None:
    with pytest.raises(TransitionNotAllowed, match="没有名为"):
        workflow.apply_transition(actor=world.staff, obj=batch, transition="launch")
    assert_nothing_written(batch, S.READY)


@pytest.mark.parametrize("persona", ["handling_officer", "deputy", "data_provider", "system_admin"])
def test_a_wrong_role_gets_permission_denied_and_writes_nothing(
    world: Any, batch: ImportBatch, persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        workflow.apply_transition(actor=world.users[persona], obj=batch, transition="start")
    assert_nothing_written(batch, S.READY)
    assert not Notification.objects.exists() and CALLS == []


def test_a_predicate_decides_per_object(world: Any, batch: ImportBatch) -> None:
    workflow.apply_transition(actor=world.staff, obj=batch, transition="start")
    with pytest.raises(PermissionDenied):  # staff is not the uploader
        workflow.apply_transition(actor=world.staff, obj=batch, transition="finish")
    workflow.apply_transition(actor=world.data_provider, obj=batch, transition="finish")
    assert batch.status == S.COMMITTED


def test_a_system_only_transition_needs_no_user(world: Any, batch: ImportBatch) -> None:
    batch.status = S.FAILED
    batch.save()
    with pytest.raises(PermissionDenied):
        workflow.apply_transition(actor=world.staff, obj=batch, transition="retry")
    event = workflow.apply_transition(actor=None, obj=batch, transition="retry")
    assert event.actor is None and batch.status == S.READY
    assert workflow_audit()[0].actor_username == ""


def test_a_required_note_must_be_given(world: Any, batch: ImportBatch) -> None:
    with pytest.raises(TransitionNotAllowed, match="请填写放弃理由"):
        workflow.apply_transition(actor=world.staff, obj=batch, transition="discard", note="  ")
    assert_nothing_written(batch, S.READY)
    workflow.apply_transition(actor=world.staff, obj=batch, transition="discard", note="文件有误")
    assert batch.status == S.DISCARDED


def test_a_stale_object_is_judged_by_the_database_row(world: Any, batch: ImportBatch) -> None:
    # Two tabs open on the same batch: the first starts it, the second still shows 待确认.
    other_tab = ImportBatch.objects.get(pk=batch.pk)
    workflow.apply_transition(actor=world.staff, obj=batch, transition="start")
    with pytest.raises(TransitionNotAllowed, match="导入中"):
        workflow.apply_transition(actor=world.staff, obj=other_tab, transition="start")
    # "discard" is allowed from both states, but the second tab saw 待确认: refuse, ask to refresh.
    with pytest.raises(TransitionNotAllowed, match="请刷新页面"):
        workflow.apply_transition(
            actor=world.staff,
            obj=other_tab,
            transition="discard",
            note="重复",
            expected_state=S.READY,
        )
    assert WorkflowEvent.objects.count() == 1


# --- deadlines ------------------------------------------------------------------------------


def test_a_deadline_in_working_days_skips_the_national_day_holiday(
    world: Any, batch: ImportBatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, 2026, 9, 30, 10, 0)  # Wednesday before 国庆 (10-01 … 10-07 off)
    event = workflow.apply_transition(actor=world.staff, obj=batch, transition="start")
    expected = dt.datetime(2026, 10, 9, 23, 59, 59, tzinfo=SHANGHAI)  # 10-08, 10-09
    assert event.due_at == expected
    batch.refresh_from_db()
    assert batch.committed_at == expected  # the model's due field
    assert workflow_audit()[0].details["due_at"] == expected.isoformat()


def test_it_knows_when_an_item_is_overdue(
    world: Any, batch: ImportBatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not workflow.is_overdue(batch)  # no deadline yet
    freeze(monkeypatch, 2026, 9, 30, 10, 0)
    workflow.apply_transition(actor=world.staff, obj=batch, transition="start")
    assert not workflow.is_overdue(batch)
    late = dt.datetime(2026, 10, 10, 0, 0, tzinfo=SHANGHAI)
    assert workflow.is_overdue(batch, now=late)
    assert list(ImportBatch.objects.filter(workflow.overdue_q(TEST_WORKFLOW, late))) == [batch]
    freeze(monkeypatch, 2026, 10, 12, 9, 0)
    workflow.apply_transition(actor=world.data_provider, obj=batch, transition="finish")
    assert not workflow.is_overdue(batch, now=late)  # a closed item is never overdue
    assert not ImportBatch.objects.filter(workflow.overdue_q(TEST_WORKFLOW, late)).exists()


# --- side effects ---------------------------------------------------------------------------


def test_side_effects_run_inside_the_transition_with_the_context(
    world: Any, batch: ImportBatch
) -> None:
    event = workflow.apply_transition(
        actor=world.staff, obj=batch, transition="start", reason="周例会"
    )
    assert list(CALLS) == [f"start:{S.COMMITTING}:{event.pk}:周例会"]
    assert Notification.objects.get().recipient == world.data_provider


def test_a_failing_side_effect_rolls_everything_back(world: Any, batch: ImportBatch) -> None:
    workflow.apply_transition(actor=world.staff, obj=batch, transition="start")
    before = (
        WorkflowEvent.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )
    with pytest.raises(RuntimeError):
        workflow.apply_transition(actor=world.staff, obj=batch, transition="fail")
    # The notification written by the first effect is gone too, and the state did not move.
    assert (
        WorkflowEvent.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    ) == before
    batch.refresh_from_db()
    assert batch.status == S.COMMITTING


# --- reading --------------------------------------------------------------------------------


def test_history_is_oldest_first_with_chinese_labels_and_late_marks(
    world: Any, batch: ImportBatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, 2026, 9, 30, 10, 0)
    workflow.apply_transition(actor=world.staff, obj=batch, transition="start")
    freeze(monkeypatch, 2026, 10, 12, 9, 0)  # after the 10-09 deadline
    workflow.apply_transition(
        actor=world.data_provider, obj=batch, transition="finish", note="全部导入"
    )
    entries = workflow.history(batch)
    assert [(e.transition_label, e.from_label, e.to_label, e.late) for e in entries] == [
        ("开始导入", "待确认", "导入中", False),
        ("完成导入", "导入中", "已导入", True),
    ]
    assert [e.event.actor for e in entries] == [world.staff, world.data_provider]


def test_history_costs_one_query(
    world: Any, batch: ImportBatch, django_assert_num_queries: Any
) -> None:
    workflow.apply_transition(actor=world.staff, obj=batch, transition="start")
    workflow.apply_transition(actor=world.staff, obj=batch, transition="discard", note="x")
    with django_assert_num_queries(1):
        entries = workflow.history(batch)
        assert [getattr(e.event.actor, "name", None) for e in entries] == ["测试staff"] * 2


def test_available_transitions_are_only_those_the_user_may_take_now(
    world: Any, batch: ImportBatch
) -> None:
    def names(persona: str) -> list[str]:
        user = world.users[persona] if persona != "nobody" else None
        return [t.name for t in workflow.available_transitions(user, batch)]

    assert names("staff") == ["start", "discard"]
    assert names("data_provider") == []
    assert names("handling_officer") == []
    assert names("nobody") == []
    workflow.apply_transition(actor=world.staff, obj=batch, transition="start")
    assert names("staff") == ["discard", "fail"]
    assert names("data_provider") == ["finish"]


def test_the_posted_form_helper_turns_state_problems_into_messages(
    world: Any, batch: ImportBatch
) -> None:
    def post(data: dict[str, str]) -> Any:
        request = RequestFactory().post("/x/", data)
        request.user = world.staff
        request.session = SessionStore()
        request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
        return request

    ok = post({"transition": "start", "expected_state": S.READY})
    assert workflow.apply_posted_transition(ok, batch) is not None
    assert [str(m) for m in get_messages(ok)] == ["已开始导入，当前状态：导入中。"]
    stale = post({"transition": "start", "expected_state": S.READY})
    assert workflow.apply_posted_transition(stale, batch) is None
    assert "不能执行“开始导入”" in [str(m) for m in get_messages(stale)][0]
    assert WorkflowEvent.objects.count() == 1


# --- definitions ----------------------------------------------------------------------------


def _states() -> tuple[State, ...]:
    return (State("a", "甲"), State("b", "乙", terminal=True))


@pytest.mark.parametrize(
    ("transitions", "initial", "problem"),
    [
        ((Transition("go", "走", ("a",), "c", roles=STAFF),), "a", "unknown state"),
        ((Transition("go", "走", ("a",), "b"),), "a", "nobody may take it"),
        ((Transition("back", "回", ("b",), "a", roles=STAFF),), "a", "leaves a terminal state"),
        ((), "z", "initial state"),
        ((Transition("go", "走", ("a",), "b", roles=STAFF),) * 2, "a", "duplicate transition"),
    ],
)
def test_a_broken_definition_is_refused_at_import_time(
    transitions: tuple[Transition, ...], initial: str, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        Workflow(
            code="broken", name="坏", states=_states(), transitions=transitions, initial=initial
        )


def test_the_registry_refuses_a_second_workflow_with_the_same_code() -> None:
    assert workflow.register(TEST_WORKFLOW) is TEST_WORKFLOW  # re-registering the same one is fine
    twin = Workflow(
        code=TEST_WORKFLOW.code, name="另一个", states=_states(), transitions=(), initial="a"
    )
    with pytest.raises(ValueError, match="already registered"):
        workflow.register(twin)
    with pytest.raises(LookupError):
        workflow.get("no_such_workflow")


def test_a_model_without_workflow_code_is_refused(world: Any) -> None:
    with pytest.raises(TypeError):
        workflow.apply_transition(actor=world.staff, obj=world.office, transition="start")


# --- concurrency (real row locks need PostgreSQL; SQLite serialises writers anyway) -----------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_clicks_apply_the_transition_once(world: Any, batch: ImportBatch) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("select_for_update is a no-op on SQLite")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def click() -> None:
        try:
            barrier.wait()
            workflow.apply_transition(
                actor=world.staff, obj=ImportBatch.objects.get(pk=batch.pk), transition="start"
            )
            outcomes.append("applied")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied", "refused"]
    assert WorkflowEvent.objects.count() == 1
