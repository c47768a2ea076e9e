"""The staff desk: list with filters (bounded queries), export, paper submission, register,
similar items and merge, assignment, disclosure review."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from renda.suggestions import services
from renda.suggestions.models import Assignment, Suggestion

from .factories import assigned, registered, replied, scene, submitted

pytestmark = pytest.mark.django_db


def test_it_lists_with_a_bounded_number_of_queries(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    sc = scene(world)
    client = client_for("staff")
    assigned(sc)
    client.get(reverse("suggestions:home"))  # warm-up (session, content types)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("suggestions:home"))
    for i in range(25):
        s = assigned(sc, title=f"关于第{i}号道路修缮的建议", co=i % 2 == 0)
    services.reply_suggestion(
        actor=world.handling_officer,
        suggestion=s,
        reply_class="A",
        content="已修缮完成，欢迎代表查看。",
        signer="刘局长",
    )
    with django_assert_max_num_queries(len(small.captured_queries)) as big:
        response = client.get(reverse("suggestions:home") + "?field=urban&q=道路")
    assert response.status_code == 200
    assert len(big.captured_queries) <= len(small.captured_queries)
    assert response.content.decode().count('data-testid="suggestion-list"') == 1
    assert "住建局" in response.content.decode() or "住房和城乡建设局" in response.content.decode()


def test_it_filters_overdue_items(world: Any, client_for: Any) -> None:
    sc = scene(world)
    late = assigned(sc, title="逾期的建议关于路灯")
    Suggestion.objects.filter(pk=late.pk).update(due_at="2020-01-01T00:00:00+08:00")
    assigned(sc, title="未逾期的建议关于绿化")
    page = client_for("staff").get(reverse("suggestions:home") + "?overdue=on").content.decode()
    assert "逾期的建议关于路灯" in page and "未逾期的建议关于绿化" not in page
    assert "逾期</span>" in page


def test_it_exports_the_filtered_list_to_excel(world: Any, client_for: Any) -> None:
    sc = scene(world)
    assigned(sc, title="关于排水的建议一")
    submitted(sc, title="关于照明的建议二")
    response = client_for("staff").get(reverse("suggestions:export") + "?state=assigned")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) == 2
    assert rows[1][1] == "关于排水的建议一" and rows[1][6]


def test_it_registers_a_paper_suggestion_for_a_deputy(world: Any, client_for: Any) -> None:
    sc = scene(world)
    client = client_for("staff")
    client.post(
        reverse("suggestions:paper_create"),
        {
            "deputy": sc.others[0].pk,
            "cosigners": [sc.me.pk],
            "title": "关于整治农贸市场周边环境的建议",
            "content": "农贸市场周边占道经营、垃圾乱倒，建议加强整治。",
            "allow_public": "on",
        },
    )
    s = Suggestion.objects.get()
    assert s.source == "paper" and s.signatures.filter(confirmed_at__isnull=False).count() == 2
    client.post(reverse("suggestions:submit", args=[s.pk]))
    client.post(
        reverse("suggestions:register", args=[s.pk]),
        {"field": "urban", "expected_state": "submitted"},
    )
    s.refresh_from_db()
    assert s.state == "registered" and s.code.endswith("第0001号")


def test_it_suggests_similar_earlier_items_for_merging(world: Any, client_for: Any) -> None:
    sc = scene(world)
    first = registered(sc, title="关于改造冷水江街道老旧小区排水管网的建议")
    submitted(sc, title="关于尽快改造老旧小区排水管网的建议")
    second = Suggestion.objects.exclude(pk=first.pk).get()
    unrelated = submitted(
        sc,
        title="关于提高农村医疗报销比例的建议",
        content="农村群众看病负担重，建议提高医保报销比例。",
    )
    client = client_for("staff")
    page = client.get(reverse("suggestions:detail", args=[second.pk])).content.decode()
    assert 'data-testid="similar"' in page and first.code in page
    assert unrelated.title not in page
    client.post(
        reverse("suggestions:merge", args=[second.pk]),
        {"into": first.code, "expected_state": "submitted"},
    )
    second.refresh_from_db()
    assert second.state == "merged" and second.duplicate_of == first


def test_it_assigns_through_the_form_and_says_why_not(world: Any, client_for: Any) -> None:
    sc = scene(world)
    s = registered(sc)
    client = client_for("staff")
    url = reverse("suggestions:assign", args=[s.pk])
    response = client.post(url, {"mode": "lead", "expected_state": "registered"})
    assert "请选择主办单位" in response.content.decode()
    response = client.post(
        url,
        {
            "mode": "lead",
            "lead_unit": sc.unit.pk,
            "co_units": [sc.unit.pk],
            "expected_state": "registered",
        },
    )
    assert "主办单位不能同时是协办单位" in response.content.decode()
    assert not Assignment.objects.exists()
    client.post(
        url,
        {
            "mode": "lead",
            "lead_unit": sc.unit.pk,
            "co_units": [sc.other_unit.pk],
            "expected_state": "registered",
        },
    )
    s.refresh_from_db()
    assert s.state == "assigned"
    # The same form posted again from a stale page: refused, nothing doubled.
    response = client.post(
        url, {"mode": "lead", "lead_unit": sc.other_unit.pk, "expected_state": "registered"}
    )
    assert "不能执行“交办”操作" in response.content.decode()
    assert Assignment.objects.filter(active=True).count() == 2


def test_it_reviews_and_publishes_with_contact_data_removed(world: Any, client_for: Any) -> None:
    sc = scene(world)
    s = replied(sc, content="我的电话13912345678。小区排水管网老化严重，雨季积水，建议尽快改造。")
    client = client_for("staff")
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert "［已删除］" in page  # the review form comes pre-redacted
    response = client.post(
        reverse("suggestions:publish", args=[s.pk]),
        {"title": s.title, "content": s.content, "reply": "已改造。"},
    )
    assert "含有手机号" in response.content.decode()
    client.post(
        reverse("suggestions:publish", args=[s.pk]),
        {"title": s.title, "content": services.redact(s.content), "reply": "已改造。"},
    )
    s.refresh_from_db()
    assert s.published_at is not None


def test_it_lets_staff_approve_an_extension_with_a_button(world: Any, client_for: Any) -> None:
    sc = scene(world)
    s = assigned(sc)
    officer = client_for("handling_officer")
    officer.post(
        reverse("suggestions:transition", args=[s.pk]),
        {"transition": "request_extension", "note": "需跨部门协调", "expected_state": "assigned"},
    )
    s.refresh_from_db()
    assert s.state == "extension_requested"
    deputy_page = (
        client_for("deputy").get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    )
    assert "需跨部门协调" in deputy_page  # the deputy sees the reason
    client_for("staff").post(
        reverse("suggestions:transition", args=[s.pk]),
        {"transition": "approve_extension", "expected_state": "extension_requested"},
    )
    s.refresh_from_db()
    assert s.state == "assigned"


def test_it_refuses_form_steps_posted_as_plain_buttons(world: Any, client_for: Any) -> None:
    sc = scene(world)
    s = assigned(sc)
    client_for("handling_officer").post(
        reverse("suggestions:transition", args=[s.pk]),
        {"transition": "reply", "expected_state": "assigned"},
    )
    s.refresh_from_db()
    assert s.state == "assigned"
