"""Blueprints and papers: an infeasible blueprint is refused at save with the missing count
per cell; least-used-first keeps exposure balanced; a paper's stored seed and input repeat
its draw; the order is frozen; parallel forms share no question and each matches the
blueprint; the lot is drawn once and recorded."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from renda.core.models import AuditEvent
from renda.exams.models import (
    Blueprint,
    FormLot,
    Paper,
    PaperQuestion,
    QuestionStatus,
    QuestionVersion,
    Section,
)
from renda.exams.services import papers as paper_services
from renda.exams.services.blueprints import feasibility, pools, save_blueprint, specs_of
from renda.exams.services.papers import usage_of

from .builders import blueprint, cell, enrol_all, nominees, sitting, small_bank, stock

pytestmark = pytest.mark.django_db


def test_an_infeasible_blueprint_is_refused_at_save_with_counts_per_cell(world: Any) -> None:
    small_bank(world.staff)
    stock(world.staff, "宪法", "single", [3, 3], status=QuestionStatus.DRAFT, prefix="草稿")
    with pytest.raises(ValidationError) as refused:
        save_blueprint(
            actor=world.staff,
            blueprint=None,
            name="过大的规则",
            position_category="government",
            parallel_forms=2,
            cells=[
                cell(
                    "宪法", "single", 4, difficulty=(1, 3)
                ),  # 6 ready, needs 8: drafts don't count
                cell("宪法", "true_false", 3),  # 6 ready, needs 6: fine
                cell("监察法", "single", 3, section=Section.POSITION),  # 4 ready, needs 6
            ],
        )
    messages = refused.value.messages
    assert any(
        "第 1 行" in m and "需要 8 题（2 套 × 4 题）" in m and "可用 6 题，缺 2 题" in m
        for m in messages
    )
    assert any("第 3 行" in m and "政府部分" in m and "缺 2 题" in m for m in messages)
    assert not any("第 2 行" in m for m in messages)
    assert not Blueprint.objects.exists()


def test_overlapping_cells_are_refused(world: Any) -> None:
    small_bank(world.staff)
    with pytest.raises(ValidationError, match="第 1 行与第 2 行的范围重叠"):
        save_blueprint(
            actor=world.staff,
            blueprint=None,
            name="重叠",
            position_category="court",
            parallel_forms=1,
            cells=[
                cell("宪法", "single", 1, difficulty=(1, 3)),
                cell("宪法", "single", 1, difficulty=(3, 5)),
            ],
        )


def test_only_exam_administrators_save_blueprints(world: Any) -> None:
    small_bank(world.staff)
    with pytest.raises(PermissionDenied):
        blueprint(world.nominee)


def test_feasibility_reports_each_cell(world: Any) -> None:
    small_bank(world.staff)
    checks = feasibility([cell("宪法", "single", 4, difficulty=(4, 5))], forms=2)
    assert [(c.needed, c.available, c.missing) for c in checks] == [(8, 4, 4)]


def _papers(world: Any, count: int, **kw: Any) -> tuple[Any, list[Paper]]:
    exam = sitting(world.staff, blueprint(world.staff, **kw.pop("plan", {})), **kw)
    enrol_all(world.staff, exam, nominees(count))
    return exam, paper_services.generate_papers(actor=world.staff, sitting=exam)


def test_each_paper_matches_the_blueprint(world: Any) -> None:
    small_bank(world.staff)
    _, made = _papers(world, 2)
    for paper in made:
        rows = list(paper.questions.select_related("version__question__topic"))
        assert len(rows) == 7 and paper.total_score == 45
        laws = Counter((r.section, r.version.question.topic.name, r.version.type) for r in rows)
        assert laws == {
            ("common", "宪法", "single"): 3,
            ("common", "宪法", "true_false"): 2,
            ("position", "监察法", "single"): 2,
        }
        # Parts in order, then types in order (single before true/false within the common part).
        assert [r.section for r in rows] == ["common"] * 5 + ["position"] * 2
        assert [r.version.type for r in rows][:5] == ["single"] * 3 + ["true_false"] * 2


def test_least_used_first_keeps_usage_balanced(world: Any) -> None:
    small_bank(world.staff)
    _, made = _papers(world, 9)
    for pool in pools(specs_of(made[0].enrolment.sitting.blueprint)):
        usage = usage_of(i.version_id for i in pool).values()
        # 9 papers × 3 of 10, 9 × 2 of 6, 9 × 2 of 4: as even as the counts allow.
        assert max(usage) - min(usage) <= 1, usage


def test_the_stored_seed_and_input_repeat_the_draw(world: Any) -> None:
    small_bank(world.staff)
    _, made = _papers(world, 3)
    for paper in made:
        paper.refresh_from_db()
        assert paper_services.redraw(paper) == paper_services.paper_layout(paper)
        assert paper.draw_input["cells"][0]["groups"][0][0] == 0 or paper.enrolment.seat > 1
    # Tampering with a frozen row is caught by the rerun.
    row = made[1].questions.get(order=1)
    PaperQuestion.objects.filter(pk=row.pk).update(option_order=list(reversed(row.option_order)))
    assert not paper_services.paper_matches_its_draw(made[1])


def test_question_and_option_order_are_frozen_and_differ_between_examinees(world: Any) -> None:
    small_bank(world.staff)
    _, made = _papers(world, 4)
    first = paper_services.paper_layout(Paper.objects.get(pk=made[0].pk))
    assert first == paper_services.paper_layout(Paper.objects.get(pk=made[0].pk))
    for version_id, _order, option_order in first:
        version = QuestionVersion.objects.get(pk=version_id)
        if version.type == "single":
            assert sorted(option_order) == list(range(len(version.options)))
        else:
            assert option_order == []
    layouts = {tuple((v, tuple(o)) for v, _, o in paper_services.paper_layout(p)) for p in made}
    assert len(layouts) > 1


def test_a_second_generation_only_serves_latecomers(world: Any) -> None:
    small_bank(world.staff)
    exam, made = _papers(world, 2)
    with pytest.raises(ValidationError, match="都已有试卷"):
        paper_services.generate_papers(actor=world.staff, sitting=exam)
    enrol_all(world.staff, exam, nominees(3)[2:])
    assert len(paper_services.generate_papers(actor=world.staff, sitting=exam)) == 1
    assert Paper.objects.count() == 3


def _forms(world: Any, users: int = 3) -> Any:
    exam = sitting(world.staff, blueprint(world.staff, forms=2), mode="forms", form_count=2)
    enrol_all(world.staff, exam, nominees(users))
    return exam


def test_parallel_forms_share_nothing_match_the_blueprint_and_difficulty(world: Any) -> None:
    small_bank(world.staff)
    exam = _forms(world)
    a, b = paper_services.generate_forms(actor=world.staff, sitting=exam)
    ids_a = set(a.questions.values_list("version_id", flat=True))
    ids_b = set(b.questions.values_list("version_id", flat=True))
    assert len(ids_a) == len(ids_b) == 7 and not ids_a & ids_b
    for form in (a, b):
        shape = Counter(
            (q.section, q.version.question.topic.name, q.version.type)
            for q in form.questions.select_related("version__question__topic")
        )
        assert shape == {
            ("common", "宪法", "single"): 3,
            ("common", "宪法", "true_false"): 2,
            ("position", "监察法", "single"): 2,
        }
        assert form.total_score == 45
    assert abs(a.mean_difficulty - b.mean_difficulty) <= 1
    assert paper_services.redraw_forms(a) == [sorted(ids_a), sorted(ids_b)]
    event = AuditEvent.objects.get(action="exam.forms_generate")
    assert event.details["forms"] == {"A": str(a.mean_difficulty), "B": str(b.mean_difficulty)}
    # Drawing the forms exposed nothing yet: no examinee has seen a question.
    assert not PaperQuestion.objects.exists()


def test_forms_need_a_blueprint_checked_for_that_many_forms(world: Any) -> None:
    small_bank(world.staff)
    with pytest.raises(ValidationError) as refused:
        sitting(world.staff, blueprint(world.staff, forms=1), mode="forms", form_count=2)
    assert "只按 1 套检查过题库" in str(refused.value)


def test_the_lot_is_drawn_once_recorded_and_gives_everybody_that_form(world: Any) -> None:
    small_bank(world.staff)
    exam = _forms(world)
    with pytest.raises(ValidationError, match="先生成平行卷"):
        paper_services.draw_lot(actor=world.staff, sitting=exam)
    with pytest.raises(ValidationError, match="先抽签"):
        paper_services.generate_papers(actor=world.staff, sitting=exam)
    forms = paper_services.generate_forms(actor=world.staff, sitting=exam)
    lot = paper_services.draw_lot(actor=world.staff, sitting=exam, witness="纪检组王某")
    assert lot.drawn_by == world.staff and lot.form in forms
    assert paper_services.lot_result(lot) == lot.form.label
    event = AuditEvent.objects.get(action="exam.lot_draw")
    assert event.details["seed"] == lot.seed and event.details["result"] == lot.form.label
    with pytest.raises(ValidationError, match="已经抽过签"):
        paper_services.draw_lot(actor=world.staff, sitting=exam)
    with pytest.raises(IntegrityError), transaction.atomic():
        FormLot.objects.create(
            sitting=exam, form=forms[0], seed=1, drawn_at=lot.drawn_at, drawn_by=world.staff
        )
    assert AuditEvent.objects.filter(action="exam.lot_draw").count() == 1
    papers = list(Paper.objects.filter(enrolment__sitting=exam))
    assert len(papers) == 3 and {p.form_id for p in papers} == {lot.form.pk}
    form_ids = set(lot.form.questions.values_list("version_id", flat=True))
    for paper in papers:
        assert set(paper.questions.values_list("version_id", flat=True)) == form_ids
        assert paper_services.paper_matches_its_draw(paper)
    # Exposure counts the examinees who saw the drawn form; the other form stays unused.
    other = next(f for f in forms if f != lot.form)
    assert set(usage_of(form_ids).values()) == {3}
    assert set(usage_of(other.questions.values_list("version_id", flat=True)).values()) == {0}


def test_a_blueprint_with_papers_cannot_change(world: Any) -> None:
    small_bank(world.staff)
    exam, _ = _papers(world, 1)
    plan = exam.blueprint
    with pytest.raises(ValidationError, match="不能再修改"):
        save_blueprint(
            actor=world.staff,
            blueprint=plan,
            name=plan.name,
            position_category=plan.position_category,
            parallel_forms=1,
            cells=specs_of(plan),
        )
