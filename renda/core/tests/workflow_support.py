"""A test-only workflow bound to `core.ImportBatch`, shared by the workflow tests.

ImportBatch is used only because it is an existing model with a state field (`status`) and a
nullable datetime (`committed_at`, standing in for `due_at`); core cannot get a test-only
model without a migration. Rows are created directly: this tests the mechanism, not the
import framework.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from renda.core import notifications, workflow
from renda.core.models import ImportBatch
from renda.core.roles import Role
from renda.core.workflow import Deadline, EffectContext, State, Transition, Workflow

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = ImportBatch.Status
CALLS: list[str] = []


def remember(ctx: EffectContext) -> None:
    CALLS.append(
        f"{ctx.transition.name}:{ctx.obj.status}:{ctx.event.pk}:{ctx.context.get('reason', '')}"
    )


def notify_creator(ctx: EffectContext) -> None:
    notifications.notify(actor=ctx.actor, recipients=[ctx.obj.created_by], title="导入已开始")


def explode(ctx: EffectContext) -> None:
    raise RuntimeError("短信网关不可用")


def is_creator(user: Any, batch: Any) -> bool:
    return user is not None and user.is_authenticated and batch.created_by_id == user.pk


STAFF = frozenset({Role.STAFF})
TEST_WORKFLOW = workflow.register(
    Workflow(
        code="test_import_batch",
        name="测试导入流程",
        initial=S.READY,
        state_field="status",
        due_field="committed_at",
        states=(
            State(S.READY, "待确认"),
            State(S.COMMITTING, "导入中", tone="primary"),
            State(S.FAILED, "导入失败", tone="danger"),
            State(S.COMMITTED, "已导入", terminal=True, tone="success"),
            State(S.DISCARDED, "已放弃", terminal=True),
        ),
        transitions=(
            Transition(
                "start",
                "开始导入",
                sources=(S.READY,),
                target=S.COMMITTING,
                roles=STAFF,
                deadline=Deadline(workdays=2),
                effects=(remember, notify_creator),
            ),
            Transition(
                "finish",
                "完成导入",
                sources=(S.COMMITTING,),
                target=S.COMMITTED,
                allowed=is_creator,
                style="success",
            ),
            Transition(
                "discard",
                "放弃",
                sources=(S.READY, S.COMMITTING),
                target=S.DISCARDED,
                roles=STAFF,
                note="required",
                note_label="放弃理由",
                style="danger",
            ),
            Transition(
                "fail",
                "标记失败",
                sources=(S.COMMITTING,),
                target=S.FAILED,
                roles=STAFF,
                effects=(notify_creator, explode),
            ),
            Transition(
                "retry",
                "重新排队",
                sources=(S.FAILED,),
                target=S.READY,
                allowed=workflow.system_only,
                note="none",
            ),
        ),
    )
)


def bind(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ImportBatch declare the test workflow (the model protocol's `workflow_code`)."""
    monkeypatch.setattr(ImportBatch, "workflow_code", TEST_WORKFLOW.code, raising=False)
    CALLS.clear()


def make_batch(world: Any) -> ImportBatch:
    return ImportBatch.objects.create(
        kind="test",
        file_name="代表名单.xlsx",
        sha256="0" * 64,
        status=S.READY,
        created_by=world.data_provider,
    )


def freeze(
    monkeypatch: pytest.MonkeyPatch, year: int, month: int, day: int, hour: int, minute: int
) -> dt.datetime:
    """Stop the clock at a Shanghai wall time (timezone.now is what the workflow reads)."""
    moment = dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    return moment
