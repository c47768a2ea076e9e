"""Bringing a rule's alerts in line with one evaluation's findings (called by the engine
inside its run's transaction): new findings raise alerts, findings seen again refresh, reopen
or escalate theirs, open alerts of the covered periods that were not found are cleared, and a
later month's run settles the earlier months' open alerts. Every change is an AlertChange."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from renda.budget import rules as registry
from renda.budget.models import Alert, AlertChange, Rule, RuleRun
from renda.budget.rules.base import Context, Finding


def _covered_periods(rule: Rule, ctx: Context) -> set[dt.date]:
    """The periods whose alerts this evaluation is the whole truth about: alerts there that
    were not found again are cleared."""
    if ctx.batch_id is not None:
        # An incremental run looked at what the new payments touched, not at everything:
        # it clears nothing (the nightly run does).
        return set()
    spec = registry.RULES[rule.code]
    if spec.payment_months:
        return {dt.date(ctx.year, m, 1) for m in range(1, ctx.as_of.month + 1)}
    return {ctx.period}


# The fields a run changes on an alert it has seen before or clears.
_REFRESHED_FIELDS = [
    "status",
    "cleared_at",
    "level",
    "rule_version",
    "params",
    "amount",
    "figures",
    "evidence",
    "explanation",
    "subject_label",
    "last_seen_at",
    "last_run",
]


def reconcile(run: RuleRun, rule: Rule, ctx: Context, findings: list[Finding]) -> dict[str, int]:
    """Make the rule's alerts match its findings: raise new ones, refresh (reopen or
    escalate) the ones seen again, clear the open ones in the covered periods not found."""
    now = timezone.now()
    periods = _covered_periods(rule, ctx)
    keys = {(f.subject_key, f.period) for f in findings}
    existing = {
        (a.subject_key, a.period): a
        for a in Alert.objects.filter(rule=rule, region=ctx.region, year=ctx.year).filter(
            period__in=periods | {p for _, p in keys}
        )
    }
    created: list[Alert] = []
    changes: list[AlertChange] = []
    updates: list[Alert] = []
    escalated = reopened = 0
    for f in findings:
        alert = existing.get((f.subject_key, f.period))
        if alert is None:
            created.append(_new_alert(run, rule, ctx, f, now))
            continue
        was_reopened, was_escalated = _refresh_alert(alert, run, rule, f, now, changes)
        reopened += was_reopened
        escalated += was_escalated
        updates.append(alert)
    cleared = _clear_missing(existing, keys, periods, run, now, changes)
    Alert.objects.bulk_create(created, batch_size=1000)
    for alert in created:
        changes.append(
            AlertChange(
                alert=alert, run=run, kind=AlertChange.Kind.RAISED, to_level=alert.level, at=now
            )
        )
    Alert.objects.bulk_update(updates + cleared, _REFRESHED_FIELDS, batch_size=1000)
    AlertChange.objects.bulk_create(changes, batch_size=1000)
    superseded, cleared_earlier = _settle_earlier_months(run, rule, ctx, findings, now)
    return {
        "found": len(findings),
        "raised": len(created),
        "escalated": escalated,
        "reopened": reopened,
        "cleared": len(cleared) + cleared_earlier,
        "superseded": superseded,
    }


def _new_alert(run: RuleRun, rule: Rule, ctx: Context, f: Finding, now: dt.datetime) -> Alert:
    return Alert(
        rule=rule,
        rule_version=rule.version,
        params=rule.params,
        region=ctx.region,
        year=ctx.year,
        period=f.period,
        subject_type=rule.subject_type,
        subject_key=f.subject_key[:200],
        subject_label=f.subject_label[:300],
        unit_id=f.unit_id,
        level=f.level,
        first_level=f.level,
        amount=f.amount,
        figures=f.figures,
        evidence=f.evidence,
        explanation=f.explanation,
        raised_at=now,
        last_seen_at=now,
        last_run=run,
    )


def _refresh_alert(
    alert: Alert,
    run: RuleRun,
    rule: Rule,
    f: Finding,
    now: dt.datetime,
    changes: list[AlertChange],
) -> tuple[bool, bool]:
    """An alert found again takes the finding's figures; a cleared one reopens and a
    higher level escalates it (each recorded in `changes`). Returns (reopened, escalated)."""
    reopened = escalated = False
    if alert.status == Alert.Status.CLEARED:
        alert.status, alert.cleared_at = Alert.Status.OPEN, None
        changes.append(
            AlertChange(
                alert=alert, run=run, kind=AlertChange.Kind.REOPENED, to_level=f.level, at=now
            )
        )
        reopened = True
    if f.level > alert.level:
        changes.append(
            AlertChange(
                alert=alert,
                run=run,
                kind=AlertChange.Kind.ESCALATED,
                from_level=alert.level,
                to_level=f.level,
                at=now,
            )
        )
        escalated = True
        alert.level = f.level
        # The version and parameters that raised it to this level.
        alert.rule_version, alert.params = rule.version, rule.params
    alert.amount, alert.figures, alert.evidence = f.amount, f.figures, f.evidence
    alert.explanation, alert.subject_label = f.explanation, f.subject_label[:300]
    alert.last_seen_at, alert.last_run = now, run
    return reopened, escalated


def _clear_missing(
    existing: dict[tuple[str, dt.date], Alert],
    keys: set[tuple[str, dt.date]],
    periods: set[dt.date],
    run: RuleRun,
    now: dt.datetime,
    changes: list[AlertChange],
) -> list[Alert]:
    """The open alerts of the covered periods that this run did not find, cleared."""
    cleared = []
    for key, alert in existing.items():
        if key not in keys and alert.period in periods and alert.status == Alert.Status.OPEN:
            alert.status, alert.cleared_at, alert.last_run = Alert.Status.CLEARED, now, run
            cleared.append(alert)
            changes.append(
                AlertChange(
                    alert=alert,
                    run=run,
                    kind=AlertChange.Kind.CLEARED,
                    from_level=alert.level,
                    at=now,
                )
            )
    return cleared


def _settle_earlier_months(
    run: RuleRun, rule: Rule, ctx: Context, findings: list[Finding], now: Any
) -> tuple[int, int]:
    """A month-level rule's verdict for the as-of month is the current one: its open,
    unhandled alerts of earlier months are superseded where the subject was found again,
    and cleared where it was not. (Payment rules judge each payment once, in its month;
    alerts under inquiry are left to the inquiry.) Only a run for the latest month does
    this, so a backtest-like run for a past date leaves later months alone."""
    spec = registry.RULES[rule.code]
    if spec.payment_months:
        return 0, 0
    if Alert.objects.filter(
        rule=rule, region=ctx.region, year=ctx.year, period__gt=ctx.period
    ).exists():
        return 0, 0
    found = {f.subject_key for f in findings}
    earlier = list(
        Alert.objects.filter(
            rule=rule,
            region=ctx.region,
            year=ctx.year,
            period__lt=ctx.period,
            status=Alert.Status.OPEN,
            handling=Alert.Handling.NEW,
        ).only("pk", "subject_key", "level")
    )
    if not earlier:
        return 0, 0
    again = [a for a in earlier if a.subject_key in found]
    # An incremental run judged only the subjects the new payments touched: the others are
    # not "gone", they were not looked at.
    gone = [] if ctx.batch_id is not None else [a for a in earlier if a.subject_key not in found]
    Alert.objects.filter(pk__in=[a.pk for a in again]).update(
        status=Alert.Status.SUPERSEDED, last_run=run
    )
    Alert.objects.filter(pk__in=[a.pk for a in gone]).update(
        status=Alert.Status.CLEARED, cleared_at=now, last_run=run
    )
    AlertChange.objects.bulk_create(
        [
            AlertChange(
                alert=a,
                run=run,
                kind=AlertChange.Kind.SUPERSEDED if a in again else AlertChange.Kind.CLEARED,
                from_level=a.level,
                at=now,
            )
            for a in again + gone
        ],
        batch_size=1000,
    )
    return len(again), len(gone)


# --- backtest ---------------------------------------------------------------------------
