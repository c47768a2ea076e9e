"""Duty scores from versioned rules: never typed in; caps; negative points; rankings."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from renda.accounts import services as account_services
from renda.conftest import PASSWORD
from renda.core.roles import Role
from renda.deputies import services
from renda.deputies.models import Deputy, ScoreRule
from renda.deputies.selectors import scoring
from renda.deputies.services import record_duty

from .factories import make_deputy, make_term

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year - 1  # a finished year: caps come from its 31 December


@dataclass
class Scene:
    me: Deputy  # linked to the `deputy` persona
    others: list[Deputy]


def scene(world: Any, *, others: int = 3) -> Scene:
    make_term(world)
    me = make_deputy(world, name="张建国", user=world.deputy)
    rest = []
    for i, name in enumerate(["王海", "李强", "张敏", "刘洋", "陈静"][:others]):
        user = account_services.create_user(
            actor=None,
            username=f"deputy{i}",
            name=name,
            role=Role.DEPUTY,
            password=PASSWORD,
            must_change_password=False,
        )
        rest.append(make_deputy(world, name=name, mobile="", user=user))
    return Scene(me, rest)


@pytest.fixture(autouse=True)
def temp_media(settings: Any, tmp_path: Path) -> Path:
    """Evidence uploaded in these tests goes to a temporary directory, never to ./media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def pdf() -> Any:
    return SimpleUploadedFile("签到表.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")


def day(month: int, d: int = 10) -> dt.date:
    return dt.date(YEAR, month, d)


def rules(world: Any) -> None:
    services.create_score_rule(
        actor=world.staff,
        kind="suggestion",
        points=3,
        valid_from=dt.date(2020, 1, 1),
        yearly_cap=12,
    )
    # From July the same suggestion is worth 5 points.
    services.create_score_rule(
        actor=world.staff, kind="suggestion", points=5, valid_from=day(7, 1), yearly_cap=12
    )
    services.create_score_rule(
        actor=world.staff, kind="meeting_leave", points=-1, valid_from=dt.date(2020, 1, 1)
    )
    services.create_score_rule(
        actor=world.staff, kind="inspection", points=3, valid_from=dt.date(2020, 1, 1)
    )


def test_it_scores_by_the_rule_in_force_on_each_day_with_caps(world: Any) -> None:
    sc = scene(world)
    rules(world)
    for month in (2, 3):  # 3 + 3
        record_duty(
            actor=None, deputy=sc.me, kind="suggestion", occurred_on=day(month), title="建议"
        )
    record_duty(actor=None, deputy=sc.me, kind="suggestion", occurred_on=day(8), title="建议")  # 5
    record_duty(
        actor=None, deputy=sc.me, kind="meeting_leave", occurred_on=day(3), title="请假半天"
    )
    record_duty(actor=None, deputy=sc.me, kind="inspection", occurred_on=day(5), title="视察")
    score = scoring.deputy_score(sc.me, YEAR)
    by_kind = {k.kind: k for k in score.kinds}
    assert by_kind["suggestion"].points == Decimal("11") and not by_kind["suggestion"].capped
    assert by_kind["meeting_leave"].points == Decimal("-1")
    assert score.total == Decimal("13")
    record_duty(
        actor=None, deputy=sc.me, kind="suggestion", occurred_on=day(9), title="建议"
    )  # 16 > 12
    capped = {k.kind: k for k in scoring.deputy_score(sc.me, YEAR).kinds}["suggestion"]
    assert capped.points == Decimal("12") and capped.raw == Decimal("16") and capped.capped


def test_it_never_edits_a_rule(world: Any) -> None:
    rules(world)
    rule = ScoreRule.objects.all()[0]
    rule.points = 100
    with pytest.raises(RuntimeError):
        rule.save()
    with pytest.raises(ValidationError, match="已有规则版本"):
        services.create_score_rule(
            actor=world.staff, kind="suggestion", points=9, valid_from=dt.date(2020, 1, 1)
        )


def test_it_ranks_with_shared_places(world: Any) -> None:
    sc = scene(world, others=3)
    rules(world)
    for deputy in (sc.me, sc.others[0]):
        record_duty(actor=None, deputy=deputy, kind="inspection", occurred_on=day(4), title="视察")
    rows = scoring.ranking(Deputy.objects.all(), YEAR)
    assert [r.rank for r in rows] == [1, 1, 3, 3]
    assert rows[0].score == Decimal("3")


def test_it_takes_staff_records_only_with_evidence(world: Any, pdf: Any) -> None:
    sc = scene(world)
    with pytest.raises(ValidationError, match="佐证材料"):
        services.add_duty_record(
            actor=world.staff, deputy=sc.me, kind="training", occurred_on=day(3), title="培训"
        )
    with pytest.raises(ValidationError, match="自动记入"):
        services.add_duty_record(
            actor=world.staff,
            deputy=sc.me,
            kind="suggestion",
            occurred_on=day(3),
            title="x",
            evidence=pdf,
        )
    with pytest.raises(PermissionDenied):
        services.add_duty_record(
            actor=world.deputy,
            deputy=sc.me,
            kind="training",
            occurred_on=day(3),
            title="x",
            evidence=pdf,
        )
    record = services.add_duty_record(
        actor=world.staff,
        deputy=sc.me,
        kind="training",
        occurred_on=day(3),
        title="代表履职培训",
        evidence=pdf,
    )
    assert record.evidence and record.created_by == world.staff


def test_it_shows_the_deputy_his_score_and_report(world: Any, client_for: Any) -> None:
    sc = scene(world)
    rules(world)
    record_duty(
        actor=None, deputy=sc.me, kind="inspection", occurred_on=day(4), title="视察城区道路"
    )
    client = client_for("deputy")
    page = client.get(reverse("deputies:duty_me") + f"?year={YEAR}").content.decode()
    assert "视察城区道路" in page
    assert re.search(r'fw-bold">3(\.00)? <span', page)
    report = client.get(reverse("deputies:duty_report", args=[sc.me.pk, YEAR])).content.decode()
    assert "年度履职报告" in report
    docx = client.get(reverse("deputies:duty_report_docx", args=[sc.me.pk, YEAR]))
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        client.get(reverse("deputies:duty_report", args=[sc.others[0].pk, YEAR])).status_code == 404
    )


def test_it_ranks_for_staff_and_exports(world: Any, client_for: Any) -> None:
    sc = scene(world)
    rules(world)
    record_duty(actor=None, deputy=sc.me, kind="inspection", occurred_on=day(4), title="视察")
    client = client_for("sc_member")
    page = client.get(reverse("deputies:rankings") + f"?year={YEAR}&group=region").content.decode()
    assert 'data-testid="ranking"' in page and "张建国" in page
    assert client.get(reverse("deputies:rankings_export") + f"?year={YEAR}").status_code == 200
