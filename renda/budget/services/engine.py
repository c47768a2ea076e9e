"""Running the supervision rules: the `Rule` rows (created from the registry in rules.py),
changing them (versioned and audited), evaluating them into alerts, and backtesting proposed
thresholds without writing anything.

One run = one treasury, one year, one as-of date. The run holds a row lock on the treasury's
`FinanceRegion` for its whole transaction, so a nightly run and a manual one take turns
instead of racing, and a run reads the summaries of whole imports (their upkeep takes the
same lock, `summaries.lock_treasury`); the unique constraint on (rule, region, year,
subject, period) is the second guard. Each rule is evaluated inside its own savepoint: a rule that fails is
recorded in the run's results and the others go on.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.budget import rules as registry
from renda.budget.models import (
    FinanceRegion,
    Rule,
    RuleRun,
    RuleVersion,
    SummaryState,
)
from renda.budget.models.alerts import AlertLevel
from renda.budget.rules.base import AggregateRule, Context, Finding, PaymentRule
from renda.budget.services.reconciling import reconcile
from renda.budget.services.summaries import tune_for_analytics
from renda.core import audit

logger = logging.getLogger(__name__)

# Which rules a trigger runs (Rule.schedule).
SCHEDULES: dict[str, set[str]] = {
    RuleRun.Trigger.IMPORT: {Rule.Schedule.IMPORT_AND_NIGHTLY},
    RuleRun.Trigger.NIGHTLY: {Rule.Schedule.IMPORT_AND_NIGHTLY, Rule.Schedule.NIGHTLY},
    RuleRun.Trigger.MANUAL: set(Rule.Schedule.values),
    RuleRun.Trigger.COMMAND: set(Rule.Schedule.values),
}


# --- the rule rows ----------------------------------------------------------------------


def ensure_rules() -> list[Rule]:
    """Create the Rule row of every registered rule that has none (version 1, defaults);
    refresh the descriptive fields of existing ones. Parameters staff changed are kept."""
    existing = {r.code: r for r in Rule.objects.all()}
    out = []
    for code, spec in registry.RULES.items():
        descriptive = {
            "name": spec.name,
            "description": spec.description,
            "basis": spec.basis,
            "category": spec.category,
            "subject_type": spec.subject_type,
            "evaluator": code.lower(),
            "param_specs": [p.spec() for p in spec.params],
        }
        rule = existing.get(code)
        if rule is None:
            with transaction.atomic():
                rule = Rule.objects.create(
                    code=code, params=spec.defaults(), schedule=spec.schedule, **descriptive
                )
                RuleVersion.objects.create(
                    rule=rule,
                    version=1,
                    params=rule.params,
                    enabled=True,
                    schedule=rule.schedule,
                    note="初始设置",
                )
        else:
            changed = [k for k, v in descriptive.items() if getattr(rule, k) != v]
            missing = {k: v for k, v in spec.defaults().items() if k not in rule.params}
            if missing:
                rule.params = {**rule.params, **missing}
                changed.append("params")
            for k in changed:
                if k != "params":
                    setattr(rule, k, descriptive[k])
            if changed:
                Rule.objects.filter(pk=rule.pk).update(**{k: getattr(rule, k) for k in changed})
        out.append(rule)
    return out


def clean_params(rule: Rule, raw: dict[str, Any]) -> dict[str, Any]:
    """Validated parameter values for `rule` (ValidationError with Chinese messages keyed by
    parameter name)."""
    spec = registry.RULES.get(rule.code)
    if spec is None:
        raise ValidationError(f"规则 {rule.code} 没有登记的计算函数。")
    return spec.clean(raw)


@transaction.atomic
def update_rule(
    *,
    actor: User,
    rule: Rule,
    params: dict[str, Any],
    enabled: bool,
    schedule: str,
    note: str = "",
) -> Rule:
    """Change a rule's thresholds, switch or schedule: validated against the parameter
    bounds, saved as a new version, audited with the values before and after."""
    if schedule not in Rule.Schedule.values:
        raise ValidationError({"schedule": "运行时机不正确。"})
    values = clean_params(rule, params)
    spec = registry.RULES[rule.code]
    stored = spec.to_json(values)
    locked = Rule.objects.select_for_update().get(pk=rule.pk)
    before = {"params": locked.params, "enabled": locked.enabled, "schedule": locked.schedule}
    if before == {"params": stored, "enabled": enabled, "schedule": schedule}:
        raise ValidationError("没有修改任何设置。")
    locked.params, locked.enabled, locked.schedule = stored, enabled, schedule
    locked.version += 1
    locked.updated_by = actor
    locked.save()
    RuleVersion.objects.create(
        rule=locked,
        version=locked.version,
        params=stored,
        enabled=enabled,
        schedule=schedule,
        note=note.strip()[:200],
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="budget.rule.update",
        target=locked,
        details={
            "version": locked.version,
            "before": before,
            "after": {"params": stored, "enabled": enabled, "schedule": schedule},
            "note": note.strip()[:200],
        },
    )
    return locked


# --- evaluation -------------------------------------------------------------------------


def default_as_of(region: FinanceRegion, year: int) -> dt.date:
    """The last payment date of the year when data exist, else today within the year."""
    state = SummaryState.objects.filter(region=region, year=year).first()
    if state and state.last_pay_date:
        return state.last_pay_date
    today = timezone.localdate()
    return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))


def evaluate(
    ctx: Context, rules: Iterable[tuple[Rule, dict[str, Any]]]
) -> dict[str, tuple[list[Finding] | None, str, float]]:
    """{code: (findings or None when it failed, error text, seconds)} without writing.

    The payment rules share one scan; if that combined scan fails, each is retried alone so
    that only the faulty one is reported."""
    out: dict[str, tuple[list[Finding] | None, str, float]] = {}
    payment: list[tuple[PaymentRule, dict[str, Any]]] = []
    aggregate: list[tuple[AggregateRule, dict[str, Any]]] = []
    for rule, params in rules:
        spec = registry.RULES.get(rule.code)
        if spec is None:
            out[rule.code] = (None, "没有登记的计算函数", 0.0)
            continue
        try:
            values = spec.clean(params)
        except ValidationError as exc:
            out[rule.code] = (None, f"参数无效：{'；'.join(exc.messages)}", 0.0)
            continue
        if isinstance(spec, PaymentRule):
            payment.append((spec, values))
        else:
            aggregate.append((spec, values))  # type: ignore[arg-type]
    if payment:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                found = registry.payment_scan(ctx, payment)
            share = (time.perf_counter() - started) / len(payment)
            for spec, _ in payment:
                out[spec.code] = (found[spec.code], "", share)
        except Exception:
            logger.exception("combined payment scan failed; evaluating one by one")
            for spec, values in payment:
                out[spec.code] = _guarded(
                    lambda s=spec, v=values: registry.payment_scan(ctx, [(s, v)])[s.code]
                )
    for spec, values in aggregate:  # type: ignore[assignment]
        out[spec.code] = _guarded(lambda s=spec, v=values: s.evaluate(ctx, v))  # type: ignore[attr-defined]
    return out


def _guarded(fn: Callable[..., list[Finding]]) -> tuple[list[Finding] | None, str, float]:
    started = time.perf_counter()
    try:
        with transaction.atomic():  # a savepoint: a failed query must not spoil the run
            return fn(), "", time.perf_counter() - started
    except Exception as exc:
        logger.exception("rule evaluation failed")
        return None, f"{type(exc).__name__}: {exc}"[:500], time.perf_counter() - started


def run_rules(
    *,
    actor: User | None,
    region: FinanceRegion,
    year: int,
    as_of: dt.date | None = None,
    trigger: str = RuleRun.Trigger.MANUAL,
    batch_id: int | None = None,
    codes: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
) -> RuleRun:
    """Evaluate the enabled rules the trigger runs and bring the alerts up to date.

    `kinds`: the kinds of data an import changed; only the rules that read one of them are
    evaluated (a payments import does not re-judge the debt ratio)."""
    ensure_rules()
    as_of = as_of or default_as_of(region, year)
    if as_of.year != year:
        raise ValidationError(f"截至日期 {as_of} 不在 {year} 年度内。")
    wanted = set(codes) if codes else None
    changed = set(kinds) if kinds is not None else None
    with transaction.atomic():
        # Serialises runs of one treasury, and runs with the upkeep of its summaries (see the
        # module docstring). NO KEY: rows that merely reference the treasury (an import's
        # payments) are not held up.
        FinanceRegion.objects.select_for_update(no_key=True).get(pk=region.pk)
        tune_for_analytics()
        run = RuleRun.objects.create(
            region=region,
            year=year,
            as_of=as_of,
            trigger=trigger,
            incremental=batch_id is not None,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
        rules = _rules_to_run(trigger, wanted, changed)
        ctx = Context(region=region, year=year, as_of=as_of, batch_id=batch_id)
        results = _evaluate_and_reconcile(run, ctx, rules)
        failed = _finish_run(run, results)
        audit.record(
            actor=actor,
            action="budget.rules.run",
            target=run,
            outcome="failure" if failed else "success",
            details={
                "year": year,
                "as_of": as_of.isoformat(),
                "trigger": trigger,
                "incremental": batch_id is not None,
                "kinds": sorted(changed) if changed is not None else None,
                "failed": failed,
                "raised": sum(r.get("raised", 0) for r in results.values()),
            },
        )
    return run


def _rules_to_run(trigger: str, wanted: set[str] | None, changed: set[str] | None) -> list[Rule]:
    """The enabled rules this trigger runs, limited to `wanted` codes and to the rules that
    read a changed kind of data (None: no limit)."""
    return [
        r
        for r in Rule.objects.filter(enabled=True).order_by("code")
        if r.schedule in SCHEDULES.get(trigger, set())
        and (wanted is None or r.code in wanted)
        and (changed is None or _reads_any(r.code, changed))
    ]


def _evaluate_and_reconcile(run: RuleRun, ctx: Context, rules: list[Rule]) -> dict[str, Any]:
    """Each rule's result: its alert counts, or its error when its evaluation failed."""
    evaluated = evaluate(ctx, [(r, r.params) for r in rules])
    results: dict[str, Any] = {}
    for rule in rules:
        findings, error, seconds = evaluated[rule.code]
        if findings is None:
            results[rule.code] = {"status": "failed", "error": error, "seconds": round(seconds, 3)}
            continue
        counts = reconcile(run, rule, ctx, findings)
        results[rule.code] = {"status": "ok", "seconds": round(seconds, 3), **counts}
    return results


def _finish_run(run: RuleRun, results: dict[str, Any]) -> list[str]:
    """Store the results and the run's status; returns the codes of the rules that failed."""
    failed = [c for c, r in results.items() if r["status"] == "failed"]
    run.results = results
    run.status = (
        RuleRun.Status.DONE
        if not failed
        else RuleRun.Status.FAILED
        if len(failed) == len(results)
        else RuleRun.Status.PARTIAL
    )
    run.finished_at = timezone.now()
    run.save(update_fields=["results", "status", "finished_at"])
    return failed


def _reads_any(code: str, kinds: set[str]) -> bool:
    spec = registry.RULES.get(code)
    # A rule without a registered evaluator is kept, so that the run records its failure.
    return spec is None or bool(spec.inputs & kinds)


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    out = []
    day = start
    while day <= end:
        nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        out.append(min(nxt - dt.timedelta(1), end))
        day = nxt
    return out


def backtest(
    *,
    rule: Rule,
    params: dict[str, Any],
    region: FinanceRegion,
    year: int,
    start: dt.date,
    end: dt.date,
) -> dict[str, Any]:
    """How many alerts of each level the rule would have raised over [start, end] with the
    proposed parameters, beside the count with its current ones. Writes nothing: it runs the
    evaluator at each month end of the period (progress rules are judged monthly) and counts
    the distinct (subject, period) findings."""
    if start > end:
        raise ValidationError("开始日期不能晚于结束日期。")
    if start.year != year or end.year != year:
        raise ValidationError(f"回测期间应在 {year} 年度内。")
    proposed = clean_params(rule, params)
    with transaction.atomic():  # reads only; the transaction scopes the session settings
        tune_for_analytics()
        return _backtest(rule, proposed, region, year, start, end)


def _backtest(
    rule: Rule,
    proposed: dict[str, Any],
    region: FinanceRegion,
    year: int,
    start: dt.date,
    end: dt.date,
) -> dict[str, Any]:
    spec = registry.RULES[rule.code]
    out: dict[str, Any] = {"months": []}
    totals: dict[str, Counter[int]] = {"proposed": Counter(), "current": Counter()}
    seen: dict[str, set[tuple[str, dt.date]]] = {"proposed": set(), "current": set()}
    per_month = not spec.payment_months
    dates = month_ends(start, end) if per_month else [end]
    for as_of in dates:
        ctx = Context(region=region, year=year, as_of=as_of)
        row: dict[str, Any] = {"as_of": as_of, "proposed": Counter(), "current": Counter()}
        for label, values in (("proposed", spec.to_json(proposed)), ("current", rule.params)):
            findings, error, _ = evaluate(ctx, [(rule, values)])[rule.code]
            if findings is None:
                raise ValidationError(f"回测失败：{error}")
            for f in findings:
                if not (registry.month_start(start) <= f.period <= end):
                    continue
                if (f.subject_key, f.period) in seen[label]:
                    continue
                seen[label].add((f.subject_key, f.period))
                row[label][f.level] += 1
                totals[label][f.level] += 1
        # Plain dicts: a template looking up "items" on a Counter would get 0.
        out["months"].append(
            {**row, "proposed": dict(row["proposed"]), "current": dict(row["current"])}
        )
    out["proposed"], out["current"] = dict(totals["proposed"]), dict(totals["current"])
    out["levels"] = [(int(v), label) for v, label in AlertLevel.choices]
    return out
