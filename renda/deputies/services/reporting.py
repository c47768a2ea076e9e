"""代表述职 (issue 15, item 6): staff draw up a yearly plan of which deputies report to which
constituents, when and where; the report text is written by the deputy on the phone or typed
in by staff; staff enter the constituents' evaluation (满意 / 基本满意 / 不满意 counts), and that
evaluation puts the 述职 into the deputy's duty record, once."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core.roles import Role, has_role

from ..models import Constituency, Deputy, DutyRecord, ReportingAssignment, ReportingPlan, Term
from ..permissions import linked_deputy
from .duty import record_duty

REPORT_MAX_CHARS = 20_000


def _require_staff(actor: User | None) -> None:
    if not has_role(actor, Role.STAFF):
        raise PermissionDenied("只有人大机关工作人员可以安排述职和登记测评。")


@transaction.atomic
def create_reporting_plan(
    *, actor: User, term: Term, year: int, title: str, note: str = ""
) -> ReportingPlan:
    _require_staff(actor)
    if not title.strip():
        raise ValidationError({"title": "请填写计划名称。"})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度应在 2000 至 2100 之间。"})
    if ReportingPlan.objects.filter(term=term, year=year).exists():
        raise ValidationError({"year": f"{term}{year}年已有述职计划。"})
    plan = ReportingPlan(
        term=term, year=year, title=title.strip(), note=note.strip(), created_by=actor
    )
    plan.full_clean()
    plan.save()
    audit.record(actor=actor, action="reporting.plan_create", target=plan, details={"year": year})
    return plan


@transaction.atomic
def add_reporting_assignment(
    *,
    actor: User,
    plan: ReportingPlan,
    deputy: Deputy,
    audience: str,
    scheduled_on: dt.date,
    venue: str,
    constituency: Constituency | None = None,
) -> ReportingAssignment:
    """Put a deputy on the plan: to whom (a constituency of the term, and/or the audience in
    words, e.g. "禾青镇代表联络站代表性选民"), on which day of the plan's year, where."""
    _require_staff(actor)
    errors: dict[str, str] = {}
    if deputy.term_id != plan.term_id:
        errors["deputy"] = "该代表不属于本计划的届次。"
    elif deputy.status != Deputy.Status.ACTIVE:
        errors["deputy"] = "只能安排在任代表述职。"
    elif ReportingAssignment.objects.filter(plan=plan, deputy=deputy).exists():
        errors["deputy"] = "该代表已列入本计划。"
    if constituency is not None and constituency.term_id != plan.term_id:
        errors["constituency"] = "选区不属于本计划的届次。"
    audience = audience.strip() or (f"{constituency.name}选民" if constituency else "")
    if not audience:
        errors["audience"] = "请填写述职对象（选区或选民范围）。"
    if scheduled_on.year != plan.year:
        errors["scheduled_on"] = f"述职日期应在{plan.year}年内。"
    if not venue.strip():
        errors["venue"] = "请填写述职地点。"
    if errors:
        raise ValidationError(errors)
    assignment = ReportingAssignment(
        plan=plan,
        deputy=deputy,
        constituency=constituency,
        audience=audience[:200],
        scheduled_on=scheduled_on,
        venue=venue.strip()[:200],
    )
    assignment.full_clean()
    assignment.save()
    audit.record(
        actor=actor,
        action="reporting.assign",
        target=assignment,
        details={"plan": plan.pk, "deputy": deputy.pk},
    )
    return assignment


def can_write_report(actor: User | None, assignment: ReportingAssignment) -> bool:
    """Staff, or the deputy the 述职 belongs to, while the evaluation is not yet entered."""
    if assignment.evaluated_at is not None:
        return False
    if has_role(actor, Role.STAFF):
        return True
    deputy = linked_deputy(actor) if actor is not None and has_role(actor, Role.DEPUTY) else None
    return deputy is not None and deputy.pk == assignment.deputy_id


@transaction.atomic
def submit_report(
    *, actor: User, assignment: ReportingAssignment, text: str
) -> ReportingAssignment:
    """Save the report text (the deputy on the phone, or staff from a paper copy). It can be
    revised until the constituents' evaluation is entered; then it is the record."""
    locked = ReportingAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not can_write_report(actor, locked):
        if locked.evaluated_at is not None:
            raise ValidationError("测评结果已登记，述职报告不能再修改。")
        raise PermissionDenied("只有述职代表本人或工作人员可以填写述职报告。")
    text = text.strip()
    if not text:
        raise ValidationError({"report_text": "请填写述职报告。"})
    if len(text) > REPORT_MAX_CHARS:
        raise ValidationError({"report_text": f"述职报告不能超过 {REPORT_MAX_CHARS} 字。"})
    first = locked.report_submitted_at is None
    locked.report_text = text
    locked.report_submitted_at = timezone.now()
    locked.report_by = actor
    locked.full_clean()
    locked.save()
    if first:
        audit.record(actor=actor, action="reporting.report_submit", target=locked)
    else:
        audit.record(actor=actor, action="reporting.report_update", target=locked)
    return locked


def _count(value: int | None, field: str, errors: dict[str, str]) -> int:
    if value is None:
        errors[field] = "请填写人数。"
        return 0
    if value < 0:
        errors[field] = "人数不能为负数。"
    return value


@transaction.atomic
def record_evaluation(
    *,
    actor: User,
    assignment: ReportingAssignment,
    satisfied: int | None,
    basically_satisfied: int | None,
    dissatisfied: int | None,
) -> ReportingAssignment:
    """Staff enter the constituents' evaluation after the 述职; it goes into the deputy's
    duty record (向选民述职) in the same transaction. Entering the same counts again changes
    nothing; different counts are refused, since a duty record is never edited."""
    _require_staff(actor)
    locked = ReportingAssignment.objects.select_for_update().get(pk=assignment.pk)
    errors: dict[str, str] = {}
    counts = (
        _count(satisfied, "satisfied", errors),
        _count(basically_satisfied, "basically_satisfied", errors),
        _count(dissatisfied, "dissatisfied", errors),
    )
    if errors:
        raise ValidationError(errors)
    if locked.evaluated_at is not None:
        if counts == (locked.satisfied, locked.basically_satisfied, locked.dissatisfied):
            return locked
        raise ValidationError("测评结果已登记，不能修改。")
    if sum(counts) == 0:
        raise ValidationError("请至少登记一人的测评意见。")
    if locked.scheduled_on > timezone.localdate():
        raise ValidationError("述职日期未到，不能登记测评结果。")
    if not locked.report_text:
        raise ValidationError("请先填写述职报告，再登记测评结果。")
    locked.satisfied, locked.basically_satisfied, locked.dissatisfied = counts
    locked.evaluated_at = timezone.now()
    locked.evaluated_by = actor
    locked.full_clean()
    locked.save()
    record_duty(
        actor=actor,
        deputy=locked.deputy,
        kind=DutyRecord.Kind.REPORT_TO_CONSTITUENTS,
        occurred_on=locked.scheduled_on,
        title=f"向{locked.audience}述职",
        details=(
            f"{locked.venue}；测评：满意 {counts[0]} 人，基本满意 {counts[1]} 人，"
            f"不满意 {counts[2]} 人。"
        ),
        source=locked,
    )
    audit.record(
        actor=actor,
        action="reporting.evaluate",
        target=locked,
        details={
            "satisfied": counts[0],
            "basically_satisfied": counts[1],
            "dissatisfied": counts[2],
        },
    )
    return locked
