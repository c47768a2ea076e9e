"""Benchmark: drawing papers from a 3,000-question bank (issue 16, item 3).

Runs against a throwaway database: a temporary SQLite file, or — when DATABASE_URL is set, as
in CI — a `test_<name>` database created and dropped on that server.

Seeding: the 3,000 ready questions (19 laws × five types × difficulties 1–5) and their
versions are written with `bulk_create` in the shape the bank's services produce; the 1,000
examinees and their enrolments likewise. The blueprint and the sittings go through the
services, so the save-time feasibility check is measured too.

Prints: the feasibility check; 1,000 individual papers in one batch (total, per paper ms,
queries per paper) and the exposure balance afterwards (max − min usage per cell); a rerun
of one paper's draw from its seed; two parallel forms (time, queries, mean difficulty per
form, shared questions) and the lot with 40 papers from the drawn form. Timing never fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="renda-bench-exams-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renda.settings")
os.environ["MEDIA_ROOT"] = str(WORK / "media")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

BANK = 3_000
EXAMINEES = 1_000
FORM_EXAMINEES = 40
TYPES = (("single", 40), ("multiple", 20), ("true_false", 25), ("fill_in", 10), ("short_answer", 5))
COMMON = (
    ("宪法", "single", 5),
    ("宪法", "multiple", 3),
    ("宪法", "true_false", 4),
    ("宪法", "short_answer", 1),
    ("地方组织法", "single", 4),
    ("代表法", "single", 3),
    ("监督法", "single", 3),
    ("监督法", "fill_in", 2),
    ("选举法", "true_false", 3),
)
POSITION = (
    ("行政处罚法", "single", 4),
    ("行政许可法", "single", 3),
    ("行政复议法", "multiple", 3),
    ("行政诉讼法", "true_false", 3),
    ("国家赔偿法", "single", 2),
)


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@contextlib.contextmanager
def counted() -> Iterator[QueryCounter]:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


@contextlib.contextmanager
def throwaway_database() -> Iterator[None]:
    if connection.vendor == "sqlite":
        connection.close()
        connection.settings_dict["NAME"] = str(WORK / "exams.sqlite3")
        call_command("migrate", verbosity=0, interactive=False)
        try:
            yield
        finally:
            connection.close()
    else:
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            yield
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def seed_bank() -> None:
    from renda.exams.models import Question, QuestionVersion, Topic

    laws = list(Topic.objects.filter(parent=None).order_by("order"))
    shares = [kind for kind, weight in TYPES for _ in range(weight)]
    questions = [
        Question(code=f"B-{i:05d}", topic=laws[i % len(laws)], status="ready") for i in range(BANK)
    ]
    Question.objects.bulk_create(questions, batch_size=1000)
    questions = list(Question.objects.order_by("pk"))
    versions = []
    for i, question in enumerate(questions):
        kind = shares[(i // len(laws)) % len(shares)]
        options: list[dict[str, str]] = []
        answer: dict[str, Any] = {}
        if kind == "single":
            options = [
                {"text": t, "weight": w, "feedback": ""}
                for t, w in zip("甲乙丙丁", ("100", "0", "0", "0"), strict=True)
            ]
        elif kind == "multiple":
            options = [
                {"text": t, "weight": w, "feedback": ""}
                for t, w in zip("甲乙丙丁", ("50", "50", "0", "0"), strict=True)
            ]
        elif kind == "true_false":
            answer = {"truth": i % 2 == 0}
        elif kind == "fill_in":
            answer = {"accepted": ["人民"]}
        else:
            answer = {"reference": "要点"}
        versions.append(
            QuestionVersion(
                question=question,
                number=1,
                type=kind,
                stem=f"{question.topic.name}第{i}题",
                options=options,
                answer=answer,
                difficulty=1 + (i * 7 // len(laws)) % 5,
                score=Decimal(2),
                fingerprint=f"{i:064d}",
            )
        )
    QuestionVersion.objects.bulk_create(versions, batch_size=1000)
    by_question = dict(QuestionVersion.objects.values_list("question_id", "pk"))
    for question in questions:
        question.current_id = by_question[question.pk]
    Question.objects.bulk_update(questions, ["current"], batch_size=1000)


def examinees(sitting: Any, count: int, prefix: str) -> None:
    from renda.accounts.models import User
    from renda.exams.models import Enrolment

    User.objects.bulk_create(
        [User(username=f"{prefix}{i}", name=f"考生{i}", role="nominee") for i in range(count)],
        batch_size=1000,
    )
    users = User.objects.filter(username__startswith=prefix).order_by("pk")
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                sitting=sitting,
                user=u,
                seat=i + 1,
                slip_number=f"{prefix}{i:05d}",
                reason="基准测试",
            )
            for i, u in enumerate(users)
        ],
        batch_size=1000,
    )


def specs() -> list[Any]:
    from renda.exams.models import Topic
    from renda.exams.services.blueprints import CellSpec

    laws = {t.name: t for t in Topic.objects.filter(parent=None)}
    return [
        CellSpec(section, laws[law], kind, 1, 5, count, Decimal(2))
        for section, rows in (("common", COMMON), ("position", POSITION))
        for law, kind, count in rows
    ]


def main() -> None:
    from renda.accounts.models import User
    from renda.exams.models import Paper
    from renda.exams.services import papers
    from renda.exams.services.blueprints import pools, save_blueprint
    from renda.exams.services.sittings import create_sitting

    print(f"database: {connection.vendor}; work dir {WORK}")
    with throwaway_database():
        started = time.perf_counter()
        seed_bank()
        print(
            f"bank: {BANK:,} ready questions over 19 laws seeded in {time.perf_counter() - started:.1f} s"
        )
        cells = specs()
        per_paper = sum(c.count for c in cells)
        with counted() as q:
            started = time.perf_counter()
            plan = save_blueprint(
                actor=None,
                blueprint=None,
                name="政府组成部门负责人任前考试",
                position_category="government",
                parallel_forms=2,
                cells=cells,
            )
            t = time.perf_counter() - started
        print(
            f"blueprint save with feasibility check ({len(cells)} cells, {per_paper} questions, 2 forms): {t * 1000:.1f} ms, {q.count} queries"
        )

        start = timezone.now() + dt.timedelta(days=1)
        window = {
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=2),
            "duration_minutes": 90,
            "pass_mark": Decimal(60),
            "venue": "考场",
            "blueprint": plan,
        }
        exam = create_sitting(actor=None, title="一人一卷", **window)
        examinees(exam, EXAMINEES, "ind")
        with counted() as q:
            started = time.perf_counter()
            made = papers.generate_papers(actor=None, sitting=exam)
            t = time.perf_counter() - started
        individual_ms = t * 1000 / len(made)
        print(
            f"\n{len(made):,} individual papers ({per_paper} questions each): {t:.2f} s total, {t * 1000 / len(made):.2f} ms per paper, {q.count} queries ({q.count / len(made):.3f} per paper)"
        )
        spreads = []
        for pool in pools(plan_specs := papers.specs_of(plan)):
            usage = papers.usage_of(i.version_id for i in pool)
            spreads.append(max(usage.values()) - min(usage.values()))
        print(
            f"exposure after {len(made):,} papers: max − min usage per cell = {spreads} (≤ 1 means balanced)"
        )
        demand = sum(c.count for c in plan_specs) * len(made)
        supply = sum(len(p) for p in pools(plan_specs))
        print(
            f"  ({demand:,} question slots drawn from {supply:,} eligible versions: {demand / supply:.1f} uses per version on average)"
        )
        paper = Paper.objects.get(pk=made[len(made) // 2].pk)
        with counted() as q:
            started = time.perf_counter()
            same = papers.paper_matches_its_draw(paper)
            t = time.perf_counter() - started
        print(
            f"rerun of one paper's draw from its seed: {'same paper' if same else 'DIFFERENT'} in {t * 1000:.1f} ms, {q.count} queries"
        )

        proctor = User.objects.create(username="proctor", name="监考", role="staff")
        forms_exam = create_sitting(actor=None, title="A/B卷", mode="forms", form_count=2, **window)
        examinees(forms_exam, FORM_EXAMINEES, "frm")
        with counted() as q:
            started = time.perf_counter()
            a, b = papers.generate_forms(actor=proctor, sitting=forms_exam)
            t = time.perf_counter() - started
        ids_a = set(a.questions.values_list("version_id", flat=True))
        ids_b = set(b.questions.values_list("version_id", flat=True))
        print(
            f"\ntwo parallel forms: {t * 1000:.1f} ms, {q.count} queries; mean difficulty A {a.mean_difficulty} / B {b.mean_difficulty} (difference {abs(a.mean_difficulty - b.mean_difficulty)}); {len(ids_a)} + {len(ids_b)} questions, {len(ids_a & ids_b)} shared"
        )
        with counted() as q:
            started = time.perf_counter()
            lot = papers.draw_lot(actor=proctor, sitting=forms_exam)
            t = time.perf_counter() - started
        print(
            f"lot drawn ({lot.form.label}卷) and {FORM_EXAMINEES} papers made from it: {t * 1000:.1f} ms, {q.count} queries ({t * 1000 / FORM_EXAMINEES:.2f} ms per paper)"
        )
        copy_ms = t * 1000 / FORM_EXAMINEES
        print(
            f"\nratio: a drawn individual paper costs {individual_ms / copy_ms:.2f}× a paper copied from the drawn form"
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
