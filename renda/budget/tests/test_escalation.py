"""Escalating an alert to a deputy who drafts a suggestion from it (linked both ways, once,
and only by that deputy). The standing committee's agenda is test_agenda.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from renda.accounts import services as account_services
from renda.budget.models import Alert
from renda.budget.services import escalation
from renda.budget.tests.alert_data import make_alert
from renda.conftest import PASSWORD, login
from renda.core.models import Notification
from renda.core.roles import Role
from renda.deputies import services as deputy_services
from renda.deputies.tests.factories import make_deputy
from renda.suggestions.models import Suggestion


@pytest.fixture
def me(world: Any) -> Any:
    return make_deputy(world, name="张建国", user=world.deputy)


@pytest.fixture
def other(world: Any) -> Any:
    user = account_services.create_user(
        actor=None,
        username="deputy_li",
        name="李秀英",
        role=Role.DEPUTY,
        password=PASSWORD,
        must_change_password=False,
    )
    return make_deputy(world, name="李秀英", mobile="", user=user)


def test_a_standing_committee_member_reads_but_does_not_offer(world: Any, client_for: Any) -> None:
    alert = make_alert(world)
    client = client_for("sc_member")
    response = client.post(reverse("budget:alert_offer", args=[alert.pk]), {"deputy": 1})
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.offered_to is None


# --- offer to a deputy ------------------------------------------------------------------


def test_offering_tells_the_deputy_and_shows_on_their_workbench(
    world: Any, me: Any, client_for: Any
) -> None:
    alert = make_alert(world)
    client = client_for("deputy")
    assert "转交我的预算监督预警" not in client.get(reverse("core:workbench")).content.decode()
    response = client_for("staff").post(
        reverse("budget:alert_offer", args=[alert.pk]), {"deputy": me.pk}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.offered_to == me and alert.offered_at is not None
    assert Notification.objects.filter(recipient=world.deputy).exists()
    workbench = client.get(reverse("core:workbench")).content.decode()
    assert "转交我的预算监督预警" in workbench and reverse("budget:offered_alerts") in workbench
    listing = client.get(reverse("budget:offered_alerts")).content.decode()
    assert alert.explanation in listing
    assert reverse("budget:alert_draft_suggestion", args=[alert.pk]) in listing


def test_only_active_deputies_with_an_account_can_be_offered(
    world: Any, me: Any, other: Any
) -> None:
    alert = make_alert(world)
    deputy_services.end_mandate(
        actor=world.staff, deputy=other, ended_on=dt.date(2025, 1, 1), reason="resigned"
    )
    other.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        escalation.offer_to_deputy(actor=world.staff, alert=alert, deputy=other)
    assert "不是本届在任代表" in str(error.value)
    no_account = make_deputy(world, name="王五", mobile="")
    with pytest.raises(ValidationError) as error:
        escalation.offer_to_deputy(actor=world.staff, alert=alert, deputy=no_account)
    assert "还没有开通账号" in str(error.value)


def test_the_offered_deputy_drafts_a_suggestion_from_the_alert(
    world: Any, me: Any, client_for: Any
) -> None:
    alert = make_alert(world)
    escalation.offer_to_deputy(actor=world.staff, alert=alert, deputy=me)
    client = client_for("deputy")
    url = reverse("budget:alert_draft_suggestion", args=[alert.pk])
    form = client.get(url)
    assert form.status_code == 200
    prefill = form.context["form"].initial
    assert alert.explanation in prefill["content"] and "大额标准（元）" in prefill["content"]
    response = client.post(
        url,
        {
            "title": "关于加强学校大额支付监管的建议",
            "content": "第一中学单笔支付600万元，建议教育局建立大额支付集体决策和公示制度。",
            "allow_public": "on",
        },
    )
    suggestion = Suggestion.objects.get(lead_deputy=me)
    assert response.status_code == 302
    assert response["Location"] == reverse("suggestions:detail", args=[suggestion.pk])
    # The suggestion shows where it came from, as one drafted from an opinion does.
    page = client.get(response["Location"]).content.decode()
    # (Core source links: the label is the link to the alert's page.)
    source = f'来源：<a href="{reverse("budget:alert_detail", args=[alert.pk])}">预算联网监督预警'
    assert source in page and alert.rule.code in page
    alert.refresh_from_db()
    assert alert.suggestion == suggestion and suggestion.state == "draft"
    # Once linked it cannot be done again, and staff can no longer offer it elsewhere.
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"title": "再提一次", "content": "再提一次建议内容十个字以上"}).status_code
        == 404
    )
    with pytest.raises(ValidationError):
        escalation.draft_suggestion_from_alert(
            actor=world.deputy, alert=alert, title="再提一次", content="再提一次建议内容十个字以上"
        )
    with pytest.raises(ValidationError):
        escalation.offer_to_deputy(actor=world.staff, alert=alert, deputy=me)
    assert Suggestion.objects.count() == 1
    staff_page = client_for("staff").get(reverse("budget:alert_detail", args=[alert.pk]))
    assert "关于加强学校大额支付监管的建议" in staff_page.content.decode()


def test_another_deputy_cannot_draft_from_it(world: Any, me: Any, other: Any) -> None:
    alert = make_alert(world)
    escalation.offer_to_deputy(actor=world.staff, alert=alert, deputy=me)
    client = login(Client(), other.user)
    assert client.get(reverse("budget:alert_draft_suggestion", args=[alert.pk])).status_code == 404
    assert alert.explanation not in client.get(reverse("budget:offered_alerts")).content.decode()
    with pytest.raises(PermissionDenied):
        escalation.draft_suggestion_from_alert(
            actor=other.user, alert=alert, title="抢先", content="抢先提出的建议内容十个字以上"
        )
    assert Alert.objects.get(pk=alert.pk).suggestion is None


def test_a_too_short_draft_is_refused_and_links_nothing(
    world: Any, me: Any, client_for: Any
) -> None:
    alert = make_alert(world)
    escalation.offer_to_deputy(actor=world.staff, alert=alert, deputy=me)
    response = client_for("deputy").post(
        reverse("budget:alert_draft_suggestion", args=[alert.pk]),
        {"title": "建议", "content": "太短"},
    )
    assert response.status_code == 200
    assert "至少10个字" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).suggestion is None
    assert not Suggestion.objects.exists()
