"""The draw of papers (reference/exam.md §1.4, §3).

Per blueprint cell (services.blueprints): the pool grouped by usage (how many examinees have
been shown each version), least-used group first, each group shuffled by a seeded RNG. The
groups a draw looked at and the seed are stored on the paper (`draw_input`), so `redraw()`
repeats the draw from them and must give the same questions, order and option order.
Question order: common part before the position part, within a part by type (single,
multiple, true/false, fill-in, short answer), shuffled within a type; choice options
shuffled. All of that is fixed when the paper is made for the examinee.

Parallel forms: the same selection for count × k questions per cell, then dealt to the k
forms in snake order by difficulty (A B B A A B …), so every form has the cell's count and
the forms' mean difficulties stay close; no question is on two forms.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from renda.core import audit

from ..models import (
    TYPE_ORDER,
    Enrolment,
    ExamSitting,
    FormLot,
    FormQuestion,
    Paper,
    PaperQuestion,
    ParallelForm,
    QuestionType,
    QuestionVersion,
    Section,
    SittingMode,
)
from ..permissions import require_sitting_manager
from .blueprints import CellSpec, PoolItem, feasibility, pools, specs_of

FORM_LABELS = "ABCDEF"
SECTION_ORDER = {s: i for i, s in enumerate(Section.values)}
CHOICE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTIPLE})
DRAW_FORMAT = 1  # the shape of draw_input; bump it if the algorithm ever changes


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def usage_of(version_ids: Iterable[int]) -> dict[int, int]:
    """Exposure: how many examinees' papers hold each version."""
    ids = list(version_ids)
    counts: dict[int, int] = dict.fromkeys(ids, 0)
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for pk, n in (
            PaperQuestion.objects.filter(version_id__in=chunk)
            .values("version_id")
            .annotate(n=Count("id"))
            .values_list("version_id", "n")
        ):
            counts[pk] = n
    return counts


def _select(
    rng: random.Random, pool: Sequence[int], usage: dict[int, int], need: int
) -> tuple[list[int], list[list[Any]]]:
    """Least-used first; returns the picks and the usage groups looked at (for audit)."""
    groups: dict[int, list[int]] = defaultdict(list)
    for pk in pool:
        groups[usage.get(pk, 0)].append(pk)
    chosen: list[int] = []
    looked: list[list[Any]] = []
    for used in sorted(groups):
        if len(chosen) >= need:
            break
        ids = sorted(groups[used])
        looked.append([used, ids])
        chosen.extend(_take(rng, ids, need - len(chosen)))
    return chosen, looked


def _take(rng: random.Random, ids: Sequence[int], n: int) -> list[int]:
    shuffled = list(ids)
    rng.shuffle(shuffled)
    return shuffled[:n]


@dataclass(frozen=True)
class Pick:
    version_id: int
    section: str
    score: Decimal
    type: str
    option_count: int
    difficulty: int


@dataclass(frozen=True)
class Slot:
    pick: Pick
    order: int
    option_order: list[int]


def _layout(rng: random.Random, picks: Sequence[Pick]) -> list[Slot]:
    """The examinee's order: part, then type, shuffled within a type; options shuffled."""
    groups: dict[tuple[int, int], list[Pick]] = defaultdict(list)
    for pick in picks:
        groups[(SECTION_ORDER[pick.section], TYPE_ORDER[pick.type])].append(pick)
    slots: list[Slot] = []
    for key in sorted(groups):
        members = list(groups[key])
        rng.shuffle(members)
        for pick in members:
            options = list(range(pick.option_count)) if pick.type in CHOICE_TYPES else []
            rng.shuffle(options)
            slots.append(Slot(pick, len(slots) + 1, options))
    return slots


def _mean(values: Sequence[int]) -> Decimal:
    if not values:
        return Decimal(0)
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _individual_draw(
    seed: int,
    specs: Sequence[CellSpec],
    pool: Sequence[Sequence[PoolItem]],
    usage: dict[int, int],
) -> tuple[list[Slot], dict[str, Any]]:
    rng = random.Random(seed)
    info = {item.version_id: item for cell in pool for item in cell}
    picks: list[Pick] = []
    cells_input = []
    for index, spec in enumerate(specs):
        chosen, looked = _select(rng, [i.version_id for i in pool[index]], usage, spec.count)
        cells_input.append(
            {
                "order": index + 1,
                "section": spec.section,
                "score": str(spec.score),
                "count": spec.count,
                "groups": looked,
            }
        )
        picks.extend(_pick(info[pk], spec.section, spec.score) for pk in chosen)
    return _layout(rng, picks), {"format": DRAW_FORMAT, "mode": "individual", "cells": cells_input}


def _pick(item: PoolItem, section: str, score: Decimal) -> Pick:
    return Pick(item.version_id, section, score, item.type, item.option_count, item.difficulty)


def _check_bank(sitting: ExamSitting, specs: Sequence[CellSpec], forms: int) -> None:
    short = [
        c
        for c in feasibility(specs, forms=forms, category=sitting.blueprint.position_category)
        if c.missing
    ]
    if short:
        raise ValidationError(
            ["保存组卷规则后题库有变化，现在的可用试题不够：", *(c.message(forms) for c in short)]
        )


def _paper_rows(paper: Paper, slots: Sequence[Slot]) -> list[PaperQuestion]:
    return [
        PaperQuestion(
            paper=paper,
            version_id=s.pick.version_id,
            order=s.order,
            section=s.pick.section,
            score=s.pick.score,
            option_order=s.option_order,
        )
        for s in slots
    ]


def _totals(slots: Sequence[Slot]) -> tuple[Decimal, Decimal]:
    return (
        sum((s.pick.score for s in slots), Decimal(0)),
        _mean([s.pick.difficulty for s in slots]),
    )


def _new_seed() -> int:
    return secrets.randbits(62)


@transaction.atomic
def generate_papers(*, actor: Any, sitting: ExamSitting) -> list[Paper]:
    """A paper for every enrolled examinee who has none yet. Individual mode draws each from
    the blueprint (least used first, usage counted as the batch goes); forms mode copies the
    form the lot chose, in each examinee's own shuffled order."""
    require_sitting_manager(actor)
    sitting = ExamSitting.objects.select_for_update().select_related("blueprint").get(pk=sitting.pk)
    waiting = list(sitting.enrolments.filter(paper__isnull=True).order_by("seat"))
    if not waiting:
        raise ValidationError("所有考生都已有试卷。")
    if sitting.mode == SittingMode.FORMS:
        lot = FormLot.objects.filter(sitting=sitting).select_related("form").first()
        if lot is None:
            raise ValidationError("平行卷方式要先抽签，抽中的卷再发给每位考生。")
        papers = _papers_from_form(actor, lot.form, waiting)
    else:
        papers = _individual_papers(actor, sitting, waiting)
    audit.record(
        actor=actor,
        action="exam.papers_generate",
        target=sitting,
        details={
            "mode": sitting.mode,
            "papers": len(papers),
            "slips": [e.slip_number for e in waiting],
        },
    )
    return papers


def _individual_papers(
    actor: Any, sitting: ExamSitting, enrolments: Sequence[Enrolment]
) -> list[Paper]:
    specs = specs_of(sitting.blueprint)
    _check_bank(sitting, specs, 1)
    pool = pools(specs)
    usage = usage_of(item.version_id for cell in pool for item in cell)
    user = actor if _is_user(actor) else None
    papers: list[Paper] = []
    layouts: list[list[Slot]] = []
    for enrolment in enrolments:
        seed = _new_seed()
        slots, draw_input = _individual_draw(seed, specs, pool, usage)
        for slot in slots:
            usage[slot.pick.version_id] = usage.get(slot.pick.version_id, 0) + 1
        total, mean = _totals(slots)
        paper = Paper(
            enrolment=enrolment,
            seed=seed,
            draw_input=draw_input,
            total_score=total,
            mean_difficulty=mean,
            created_by=user,
        )
        papers.append(paper)
        layouts.append(slots)
    return _save_papers(papers, layouts)


def _save_papers(papers: list[Paper], layouts: list[list[Slot]]) -> list[Paper]:
    Paper.objects.bulk_create(papers, batch_size=500)
    if any(p.pk is None for p in papers):  # a backend that returns no keys from bulk_create
        by_enrolment = dict(
            Paper.objects.filter(enrolment__in=[p.enrolment_id for p in papers]).values_list(
                "enrolment_id", "pk"
            )
        )
        for paper in papers:
            paper.pk = by_enrolment[paper.enrolment_id]
    PaperQuestion.objects.bulk_create(
        [
            row
            for paper, slots in zip(papers, layouts, strict=True)
            for row in _paper_rows(paper, slots)
        ],
        batch_size=2000,
    )
    return papers


def _form_picks(form: ParallelForm) -> list[Pick]:
    return [
        Pick(
            q.version_id,
            q.section,
            q.score,
            q.version.type,
            len(q.version.options or ()),
            q.version.difficulty,
        )
        for q in form.questions.select_related("version").order_by("order")
    ]


def _papers_from_form(
    actor: Any, form: ParallelForm, enrolments: Sequence[Enrolment]
) -> list[Paper]:
    picks = _form_picks(form)
    user = actor if _is_user(actor) else None
    papers, layouts = [], []
    for enrolment in enrolments:
        seed = _new_seed()
        slots = _layout(random.Random(seed), picks)
        total, mean = _totals(slots)
        papers.append(
            Paper(
                enrolment=enrolment,
                form=form,
                seed=seed,
                draw_input={"format": DRAW_FORMAT, "mode": "form", "form": form.label},
                total_score=total,
                mean_difficulty=mean,
                created_by=user,
            )
        )
        layouts.append(slots)
    return _save_papers(papers, layouts)


def redraw(paper: Paper) -> list[tuple[int, int, list[int]]]:
    """Repeat a paper's draw from its stored seed and input: (version, order, option order)
    per question. Audit compares this with the paper's rows (`paper_matches_its_draw`)."""
    draw = paper.draw_input
    if draw.get("mode") == "form":
        assert paper.form is not None
        slots = _layout(random.Random(paper.seed), _form_picks(paper.form))
    else:
        rng = random.Random(paper.seed)
        chosen: list[tuple[int, str, Decimal]] = []
        for cell in draw["cells"]:
            need = cell["count"]
            got: list[int] = []
            for _used, ids in cell["groups"]:
                got.extend(_take(rng, ids, need - len(got)))
            chosen.extend((pk, cell["section"], Decimal(cell["score"])) for pk in got)
        versions = QuestionVersion.objects.in_bulk([pk for pk, _, _ in chosen])
        picks = [
            Pick(
                pk,
                section,
                score,
                versions[pk].type,
                len(versions[pk].options or ()),
                versions[pk].difficulty,
            )
            for pk, section, score in chosen
        ]
        slots = _layout(rng, picks)
    return [(s.pick.version_id, s.order, s.option_order) for s in slots]


def paper_layout(paper: Paper) -> list[tuple[int, int, list[int]]]:
    return [
        (version_id, order, list(option_order))
        for version_id, order, option_order in paper.questions.order_by("order").values_list(
            "version_id", "order", "option_order"
        )
    ]


def paper_matches_its_draw(paper: Paper) -> bool:
    return redraw(paper) == paper_layout(paper)


# --- parallel forms and the lot --------------------------------------------------------------


def _deal(rng: random.Random, picks: list[Pick], forms: int) -> list[list[Pick]]:
    """Snake order by difficulty (A B B A …): each form gets the same count per cell and
    nearly the same difficulty sum; ties in difficulty keep the seeded shuffle's order."""
    dealt: list[list[Pick]] = [[] for _ in range(forms)]
    start = rng.randrange(forms)  # which form gets the hardest first is itself random
    order = sorted(picks, key=lambda p: p.difficulty, reverse=True)
    for index, pick in enumerate(order):
        lap, pos = divmod(index, forms)
        target = pos if lap % 2 == 0 else forms - 1 - pos
        dealt[(target + start) % forms].append(pick)
    return dealt


def draw_forms(
    seed: int,
    specs: Sequence[CellSpec],
    pool: Sequence[Sequence[PoolItem]],
    usage: dict[int, int],
    forms: int,
) -> tuple[list[list[Pick]], dict[str, Any]]:
    rng = random.Random(seed)
    info = {item.version_id: item for cell in pool for item in cell}
    out: list[list[Pick]] = [[] for _ in range(forms)]
    cells_input = []
    for index, spec in enumerate(specs):
        chosen, looked = _select(
            rng, [i.version_id for i in pool[index]], usage, spec.count * forms
        )
        cells_input.append(
            {
                "order": index + 1,
                "section": spec.section,
                "score": str(spec.score),
                "count": spec.count,
                "groups": looked,
            }
        )
        dealt = _deal(rng, [_pick(info[pk], spec.section, spec.score) for pk in chosen], forms)
        for target, members in zip(out, dealt, strict=True):
            target.extend(members)
    return out, {"format": DRAW_FORMAT, "mode": "forms", "forms": forms, "cells": cells_input}


@transaction.atomic
def generate_forms(*, actor: Any, sitting: ExamSitting) -> list[ParallelForm]:
    require_sitting_manager(actor)
    sitting = ExamSitting.objects.select_for_update().select_related("blueprint").get(pk=sitting.pk)
    if sitting.mode != SittingMode.FORMS:
        raise ValidationError("本场考试是一人一卷，不出平行卷。")
    if sitting.forms.exists():
        raise ValidationError("本场考试已生成平行卷。")
    specs = specs_of(sitting.blueprint)
    _check_bank(sitting, specs, sitting.form_count)
    pool = pools(specs)
    usage = usage_of(item.version_id for cell in pool for item in cell)
    seed = _new_seed()
    dealt, draw_input = draw_forms(seed, specs, pool, usage, sitting.form_count)
    user = actor if _is_user(actor) else None
    created = []
    for index, picks in enumerate(dealt):
        ordered = sorted(picks, key=lambda p: (SECTION_ORDER[p.section], TYPE_ORDER[p.type]))
        form = ParallelForm.objects.create(
            sitting=sitting,
            label=FORM_LABELS[index],
            seed=seed,
            draw_input={**draw_input, "index": index},
            total_score=sum((p.score for p in picks), Decimal(0)),
            mean_difficulty=_mean([p.difficulty for p in picks]),
            created_by=user,
        )
        FormQuestion.objects.bulk_create(
            FormQuestion(
                form=form, version_id=p.version_id, order=i + 1, section=p.section, score=p.score
            )
            for i, p in enumerate(ordered)
        )
        created.append(form)
    audit.record(
        actor=actor,
        action="exam.forms_generate",
        target=sitting,
        details={
            "seed": seed,
            "forms": {f.label: str(f.mean_difficulty) for f in created},
            "questions": sum(len(p) for p in dealt),
        },
    )
    return created


def redraw_forms(form: ParallelForm) -> list[list[int]]:
    """The version ids of every sibling form, repeated from the stored seed and input."""
    draw = form.draw_input
    rng = random.Random(form.seed)
    forms = draw["forms"]
    versions: dict[int, QuestionVersion] = QuestionVersion.objects.in_bulk(
        [pk for cell in draw["cells"] for _, ids in cell["groups"] for pk in ids]
    )
    out: list[list[int]] = [[] for _ in range(forms)]
    for cell in draw["cells"]:
        need, got = cell["count"] * forms, list[int]()
        for _used, ids in cell["groups"]:
            got.extend(_take(rng, ids, need - len(got)))
        picks = [
            Pick(
                pk,
                cell["section"],
                Decimal(cell["score"]),
                versions[pk].type,
                0,
                versions[pk].difficulty,
            )
            for pk in got
        ]
        for target, members in zip(out, _deal(rng, picks, forms), strict=True):
            target.extend(p.version_id for p in members)
    return [sorted(ids) for ids in out]


@transaction.atomic
def draw_lot(*, actor: Any, sitting: ExamSitting, witness: str = "") -> FormLot:
    """抽签 at the sitting: one form by a fresh seed, recorded once (who, when, seed,
    result); then every enrolled examinee gets a paper from it."""
    require_sitting_manager(actor)
    sitting = ExamSitting.objects.select_for_update().get(pk=sitting.pk)
    if FormLot.objects.filter(sitting=sitting).exists():
        raise ValidationError("本场考试已经抽过签，不能重抽。")
    forms = list(sitting.forms.order_by("label"))
    if len(forms) < 2:
        raise ValidationError("请先生成平行卷，再抽签。")
    seed = _new_seed()
    chosen = forms[random.Random(seed).randrange(len(forms))]
    try:
        with transaction.atomic():
            lot = FormLot.objects.create(
                sitting=sitting,
                form=chosen,
                seed=seed,
                drawn_at=timezone.now(),
                drawn_by=actor,
                witness=witness.strip()[:100],
            )
    except IntegrityError as error:
        raise ValidationError("本场考试已经抽过签，不能重抽。") from error
    audit.record(
        actor=actor,
        action="exam.lot_draw",
        target=sitting,
        details={
            "seed": seed,
            "forms": [f.label for f in forms],
            "result": chosen.label,
            "witness": lot.witness,
        },
    )
    waiting = list(sitting.enrolments.filter(paper__isnull=True).order_by("seat"))
    if waiting:
        _papers_from_form(actor, chosen, waiting)
    return lot


def lot_result(lot: FormLot) -> str:
    """Repeat the lot from its seed (for the audit page)."""
    forms = list(lot.sitting.forms.order_by("label"))
    return forms[random.Random(lot.seed).randrange(len(forms))].label
