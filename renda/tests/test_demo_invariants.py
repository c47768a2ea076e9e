"""The demo county tells a year people would believe (issue 14 item 15): the whole demo is
loaded once (it takes a minute or two) and each `check_…` below holds one of its invariants;
the test reports every check that fails, not only the first.

(A module-scoped fixture sharing one load between several tests did not see the test
database here: pytest-django sets it up per test, so one test runs all the checks.)"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Min, Sum
from django.utils import timezone

from renda.budget.demo.inquiries import load_moment
from renda.budget.models import (
    Alert,
    BudgetAdjustment,
    BudgetIndicator,
    BudgetUnit,
    Inquiry,
    InquiryAnswer,
    Payment,
    RevenueBudget,
)
from renda.budget.services.inquiries import is_overdue
from renda.core.models import AuditEvent, Region, WorkflowEvent
from renda.stations.selectors import deputies_below_minimum, deputy_duty_counts
from renda.suggestions.demo import demo_year
from renda.suggestions.demo_topics import lead_units_for
from renda.suggestions.models import Assignment, Evaluation, Motion, Reply, Suggestion
from renda.suggestions.workflows import HANDLING_STATES


@pytest.mark.django_db
def test_the_demo_keeps_its_own_invariants() -> None:
    call_command("seed_demo", force=True, stdout=io.StringIO())
    failures = []
    for check in CHECKS:
        try:
            check()
        except AssertionError as error:
            failures.append(f"{check.__name__}: {error}")
    assert failures == []


# --- suggestions -------------------------------------------------------------------------


def check_every_item_is_led_by_the_unit_that_handles_its_topic() -> None:
    leads = Assignment.objects.filter(active=True, role=Assignment.Role.LEAD).select_related(
        "suggestion", "unit"
    )
    assert leads.count() >= 60
    wrong = [
        (a.suggestion.title, a.unit.short_name)
        for a in leads
        if a.unit.code not in lead_units_for(a.suggestion.title)
    ]
    assert wrong == []
    # One lead unit for each item being handled, and every answer comes from it.
    handled = Suggestion.objects.filter(state__in=(*HANDLING_STATES, "replied", "closed"))
    for s in handled.exclude(source="motion").prefetch_related("assignments", "replies"):
        active = [a for a in s.assignments.all() if a.active and a.role == "lead"]
        assert len(active) == 1, s.title
        assert {r.unit_id for r in s.replies.all()} <= {active[0].unit_id}, s.title


def check_timelines_are_in_order() -> None:
    now = timezone.now()
    first_reply = dict(
        Reply.objects.values("suggestion")
        .annotate(t=Min("created_at"))
        .values_list("suggestion", "t")
    )
    first_rating = dict(
        Evaluation.objects.values("suggestion")
        .annotate(t=Min("created_at"))
        .values_list("suggestion", "t")
    )
    for s in Suggestion.objects.exclude(state="draft"):
        times = [s.created_at, s.submitted_at, s.registered_at, s.assigned_at]
        times += [first_reply.get(s.pk), first_rating.get(s.pk)]
        present = [t for t in times if t is not None]
        assert present == sorted(present), s.title
        assert present[-1] <= now
    events: dict[str, list[WorkflowEvent]] = defaultdict(list)
    for e in WorkflowEvent.objects.filter(workflow="suggestion").order_by("pk"):
        events[e.object_id].append(e)
    for rows in events.values():
        times = [e.created_at for e in rows]
        assert times == sorted(times)
        assert all(a.to_state == b.from_state for a, b in zip(rows, rows[1:], strict=False))


def check_the_audit_log_follows_each_items_story() -> None:
    order = ("suggestion.submit", "suggestion.register", "suggestion.assign", "suggestion.reply")
    rows = AuditEvent.objects.filter(action__in=order, target_type__endswith="suggestion")
    first: dict[str, dict[str, int]] = defaultdict(dict)
    for pk, action, target in rows.order_by("pk").values_list("pk", "action", "target_id"):
        first[target].setdefault(action, pk)
    assert len(first) >= 80
    for actions in first.values():
        ids = [actions[a] for a in order if a in actions]
        assert ids == sorted(ids)


def check_some_items_are_overdue_extended_returned_and_rehandled() -> None:
    now = timezone.now()
    overdue = Suggestion.objects.filter(state__in=HANDLING_STATES, due_at__lt=now)
    assert overdue.count() >= 3
    assert Reply.objects.filter(on_time=False).count() >= 2
    assert WorkflowEvent.objects.filter(transition="approve_extension").count() >= 2
    assert Suggestion.objects.filter(state="extension_requested").exists()
    assert Assignment.objects.filter(returned_at__isnull=False).count() >= 3
    rehandled = Suggestion.objects.filter(rehandle_count__gt=0)
    assert rehandled.filter(state="closed").exists() and rehandled.filter(state="rehandling")
    assert Suggestion.objects.filter(state="closed").count() >= 30
    # The open ones are what an office sees on a working day, not everything finished.
    assert Suggestion.objects.filter(state__in=("submitted", "registered", "assigned")).count() >= 8


def check_motions_reach_the_presidiums_decision() -> None:
    motions = list(Motion.objects.select_related("sitting"))
    assert len(motions) >= 3
    for motion in motions:
        assert motion.state in ("on_agenda", "converted", "refused", "referred")
        assert motion.sitting is not None and motion.submitted_at is not None
        assert motion.submitted_at <= motion.sitting.motion_deadline
        assert motion.signatures.filter(confirmed_at__isnull=False).count() >= 10
    converted = Suggestion.objects.filter(source="motion")
    assert converted.exists() and not converted.filter(state="submitted").exists()


# --- stations ----------------------------------------------------------------------------


def check_most_deputies_meet_the_station_minimum() -> None:
    today = timezone.localdate()
    year = today.year if today.timetuple().tm_yday > 60 else today.year - 1
    placed = deputy_duty_counts(year).count()
    below = deputies_below_minimum(year).count()
    assert placed >= 500
    if year < today.year or today.month >= 7:  # most of the year's reception days are past
        assert 0.78 <= 1 - below / placed <= 0.95, f"{below} of {placed} below the minimum"
    else:
        assert below < placed


# --- budget ------------------------------------------------------------------------------


def _budget_year() -> int:
    return timezone.localdate().year - 1


def _unit_budgets(year: int) -> dict[int, Decimal]:
    """Each unit's adjusted budget: its indicators less reductions, plus money moved in."""
    budget: dict[int, Decimal] = defaultdict(Decimal)
    for unit, kind, amount in BudgetIndicator.objects.filter(year=year).values_list(
        "unit_id", "kind", "amount"
    ):
        budget[unit] += -amount if kind == BudgetIndicator.Kind.REDUCTION else amount
    for src, dst, amount in BudgetAdjustment.objects.filter(year=year).values_list(
        "from_indicator__unit_id", "to_indicator__unit_id", "amount"
    ):
        if src:
            budget[src] -= amount
        budget[dst] += amount
    return budget


def check_payments_and_alerts_stay_within_the_budgets_they_refer_to() -> None:
    year = _budget_year()
    budgets = _unit_budgets(year)
    spent = dict(
        Payment.objects.filter(year=year, is_void=False)
        .values("unit")
        .annotate(s=Sum("amount"))
        .values_list("unit", "s")
    )
    assert spent
    over = {u for u, s in spent.items() if s > budgets.get(u, Decimal(0))}
    alerts = Alert.objects.filter(year=year)
    # Only the planted cases overspend (over an indicator, or without one), and they are alerted.
    flagged = set(alerts.filter(rule__code__in=("B02", "B03")).values_list("unit_id", flat=True))
    assert over and over <= flagged
    for alert in alerts.filter(unit__isnull=False):
        assert alert.amount <= budgets[alert.unit_id], alert
    revenue = RevenueBudget.objects.filter(year=year).aggregate(s=Sum("amount"))["s"]
    for alert in alerts.filter(rule__code="B10"):
        assert alert.amount <= revenue
    # Judged on the year's figures: one debt alert and one per project, not one a month.
    assert alerts.filter(rule__code="B14").count() == 1
    assert alerts.filter(rule__code="B15").count() <= 3


def check_all_four_budgets_have_figures() -> None:
    year = _budget_year()
    for fund in ("1", "2", "3", "4"):
        indicators = BudgetIndicator.objects.filter(year=year, fund_type=fund)
        assert (indicators.aggregate(s=Sum("amount"))["s"] or 0) > 0, fund
        assert RevenueBudget.objects.filter(year=year, fund_type=fund).exists(), fund
        assert Payment.objects.filter(year=year, fund_type=fund).exists(), fund


def check_budget_units_use_the_registrys_place_names() -> None:
    places = set(Region.objects.values_list("name", flat=True))
    names = BudgetUnit.objects.values_list("name", flat=True)
    towns = {m.group(1) for n in names if (m := re.match(r"^([^市]{2,4}?(?:街道|镇|乡))", n))}
    assert towns and towns <= places
    assert not [n for n in names if re.search(r"（[二三四五六七八九十]+）$", n)]
    assert not [n for n in names if n.endswith(("办公室执法大队", "办公室档案馆"))]


def check_some_alerts_are_settled_through_inquiry_letters() -> None:
    year = _budget_year()
    if load_moment(year) is None:  # early in a year the letters' months have not passed
        assert not Inquiry.objects.exists()
        return
    alerts = Alert.objects.filter(year=year)
    settled = alerts.filter(handling__in=(Alert.Handling.RESOLVED, Alert.Handling.DISMISSED))
    assert settled.count() >= 5 and settled.filter(inquiries__state="closed").count() >= 5
    assert alerts.filter(handling=Alert.Handling.INQUIRED).count() >= 3
    assert alerts.filter(handling=Alert.Handling.NEW).exists()  # most are still to be looked at
    closed = Inquiry.objects.filter(state="closed").prefetch_related("alerts", "answers")
    assert closed.count() >= 3
    for letter in closed:
        answers = {a.alert_id: a for a in letter.answers.all()}
        assert set(answers) == {a.pk for a in letter.alerts.all()}, letter.number
        for answer in answers.values():
            assert answer.state == InquiryAnswer.State.ACCEPTED, letter.number
            assert answer.response and answer.finding, letter.number
            assert answer.responded_at and letter.issued_at < answer.responded_at
        assert letter.closed_at and letter.issued_at < letter.closed_at <= timezone.now()
        # An alert is raised before the letter about it, and settled by its own finding.
        for alert in letter.alerts.all():
            assert alert.raised_at < letter.issued_at, letter.number
            normal = answers[alert.pk].finding == Inquiry.Finding.NORMAL
            assert alert.handling == ("dismissed" if normal else "resolved"), letter.number
    assert closed.filter(returned_count__gt=0).exists()
    waiting = Inquiry.objects.filter(state="issued")
    assert any(is_overdue(w) for w in waiting) and not all(is_overdue(w) for w in waiting)
    events: dict[str, list[WorkflowEvent]] = defaultdict(list)
    for e in WorkflowEvent.objects.filter(workflow="budget_inquiry").order_by("pk"):
        events[e.object_id].append(e)
    assert len(events) == Inquiry.objects.count()
    for rows in events.values():
        assert [e.created_at for e in rows] == sorted(e.created_at for e in rows)
        assert all(a.to_state == b.from_state for a, b in zip(rows, rows[1:], strict=False))


CHECKS = (
    check_every_item_is_led_by_the_unit_that_handles_its_topic,
    check_timelines_are_in_order,
    check_the_audit_log_follows_each_items_story,
    check_some_items_are_overdue_extended_returned_and_rehandled,
    check_motions_reach_the_presidiums_decision,
    check_most_deputies_meet_the_station_minimum,
    check_payments_and_alerts_stay_within_the_budgets_they_refer_to,
    check_all_four_budgets_have_figures,
    check_budget_units_use_the_registrys_place_names,
    check_some_alerts_are_settled_through_inquiry_letters,
)


def test_the_demo_year_follows_the_calendar() -> None:
    assert demo_year(dt.date(2026, 12, 2)) == 2026
    assert demo_year(dt.date(2027, 2, 1)) == 2026
