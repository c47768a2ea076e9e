"""Reads of 实施监督 (models/implementation.py): the progress roll-up, overdue flags and the
money spent on the budget indicators a plan names.

Roll-up (as in Decidim accountability, civic.md §1.5): a leaf item's progress is its status's
weight (ProgressStatus.progress, data). A parent's progress, and the plan's over its top-level
items, is the mean of its children's progress **weighted by their budget** (计划投资) when every
child has a budget above zero, and the plain (equal-weight) mean otherwise (a child without a
budget would else count for nothing). The parent's own budget field is not a weight of its
children; it is the parent's weight among its own siblings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from renda.budget.models import BudgetIndicator, Payment

from .models import FundingLink, Milestone, Plan, PlanItem, ProgressStatus

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def default_status() -> ProgressStatus:
    """The status a new item starts in: the active one with the lowest progress."""
    found = ProgressStatus.objects.filter(is_active=True).order_by("progress", "order").first()
    if found is None:
        raise ProgressStatus.DoesNotExist("没有可用的进度状态。")
    return found


def weighted_mean(rows: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Mean of (progress, budget) pairs: by budget if every budget is > 0, else equal."""
    rows = list(rows)
    if not rows:
        return Decimal(0)
    if all(b > 0 for _, b in rows):
        total = sum((b for _, b in rows), Decimal(0))
        value = sum((p * b for p, b in rows), Decimal(0)) / total
    else:
        value = sum((p for p, _ in rows), Decimal(0)) / len(rows)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Node:
    item: PlanItem
    children: list[Node] = field(default_factory=list)
    progress: Decimal = Decimal(0)
    overdue: bool = False
    depth: int = 0

    @property
    def is_leaf(self) -> bool:
        return not self.children


def build_tree(plan: Plan, *, today: dt.date | None = None) -> tuple[list[Node], Decimal]:
    """The plan's items as a tree with rolled-up progress, and the plan's progress."""
    today = today or timezone.localdate()
    items = list(
        PlanItem.objects.filter(plan=plan)
        .select_related("status", "owner_unit")
        .order_by("order", "id")
    )
    nodes = {i.pk: Node(i) for i in items}
    roots: list[Node] = []
    for i in items:
        if i.parent_id and i.parent_id in nodes:
            nodes[i.parent_id].children.append(nodes[i.pk])
        else:
            roots.append(nodes[i.pk])

    def walk(node: Node, depth: int) -> None:
        node.depth = depth
        for child in node.children:
            walk(child, depth + 1)
        if node.is_leaf:
            node.progress = Decimal(node.item.status.progress).quantize(CENT)
        else:
            node.progress = weighted_mean((c.progress, c.item.budget) for c in node.children)
        node.overdue = node.item.deadline < today and node.progress < HUNDRED

    for root in roots:
        walk(root, 0)
    total = weighted_mean((r.progress, r.item.budget) for r in roots)
    return roots, total


def flatten(roots: list[Node]) -> list[Node]:
    out: list[Node] = []

    def walk(node: Node) -> None:
        out.append(node)
        for child in node.children:
            walk(child)

    for root in roots:
        walk(root)
    return out


def overdue_items_q(today: dt.date) -> Q:
    """Items past their deadline and not at 100% (the stored progress, kept by the service)."""
    return Q(deadline__lt=today, progress__lt=HUNDRED, plan__state=Plan.State.ACTIVE)


def overdue_milestones_q(today: dt.date) -> Q:
    return Q(due_on__lt=today, done_on__isnull=True, item__plan__state=Plan.State.ACTIVE)


def is_overdue_milestone(milestone: Milestone, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return milestone.done_on is None and milestone.due_on < today


@dataclass(frozen=True)
class Funding:
    link: FundingLink
    budgeted: Decimal  # the indicator's amount plus the 调减 rows that point at it
    spent: Decimal  # its payments (refunds negative, voided vouchers left out)


def _key(region_id: int, year: int, bgt_id: str) -> tuple[int, int, str]:
    return (region_id, year, bgt_id)


def funding_of(plan: Plan) -> tuple[list[Funding], Decimal, Decimal]:
    """Each linked indicator with its budgeted and spent sums, and the plan's totals."""
    links = list(FundingLink.objects.filter(plan=plan).select_related("region", "item"))
    if not links:
        return [], Decimal(0), Decimal(0)
    codes: dict[tuple[int, int], set[str]] = defaultdict(set)
    for link in links:
        codes[(link.region_id, link.year)].add(link.bgt_id)
    budgeted: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    spent: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    for (region_id, year), ids in codes.items():
        own = (
            BudgetIndicator.objects.filter(region_id=region_id, year=year, bgt_id__in=ids)
            .exclude(kind=BudgetIndicator.Kind.REDUCTION)
            .values("bgt_id")
            .annotate(total=Sum("amount"))
        )
        cuts = (
            BudgetIndicator.objects.filter(
                region_id=region_id,
                year=year,
                kind=BudgetIndicator.Kind.REDUCTION,
                ori_bgt_id__in=ids,
            )
            .values("ori_bgt_id")
            .annotate(total=Sum("amount"))
        )
        paid = (
            Payment.objects.filter(region_id=region_id, year=year, bgt_id__in=ids, is_void=False)
            .values("bgt_id")
            .annotate(total=Sum("amount"))
        )
        for row in own:
            budgeted[_key(region_id, year, row["bgt_id"])] += row["total"] or 0
        for row in cuts:
            budgeted[_key(region_id, year, row["ori_bgt_id"])] += row["total"] or 0
        for row in paid:
            spent[_key(region_id, year, row["bgt_id"])] += row["total"] or 0
    rows = [
        Funding(
            link,
            Decimal(budgeted[_key(link.region_id, link.year, link.bgt_id)]).quantize(CENT),
            Decimal(spent[_key(link.region_id, link.year, link.bgt_id)]).quantize(CENT),
        )
        for link in links
    ]
    return (
        rows,
        sum((r.budgeted for r in rows), Decimal(0)).quantize(CENT),
        sum((r.spent for r in rows), Decimal(0)).quantize(CENT),
    )


def summary(plan: Plan, *, today: dt.date | None = None) -> dict[str, Any]:
    """What every page of a plan shows: tree, progress, budget, overdue counts, funding."""
    today = today or timezone.localdate()
    roots, total = build_tree(plan, today=today)
    nodes = flatten(roots)
    funding, budgeted, spent = funding_of(plan)
    milestones = list(
        Milestone.objects.filter(item__plan=plan).select_related("item").order_by("due_on", "id")
    )
    return {
        "roots": roots,
        "nodes": nodes,
        "progress": total,
        "budget": sum((r.item.budget for r in roots), Decimal(0)),
        "overdue_items": sum(1 for n in nodes if n.overdue),
        "milestones": milestones,
        "overdue_milestones": [m for m in milestones if is_overdue_milestone(m, today)],
        "funding": funding,
        "funding_budgeted": budgeted,
        "funding_spent": spent,
        "today": today,
    }
