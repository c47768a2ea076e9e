"""Push tokens: only the security administrator issues and revokes them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from renda.budget.models import PushToken
from renda.budget.services import tokens
from renda.core.models import AuditEvent


def test_it_issues_a_token_shown_once_and_stores_only_its_hash(world):
    token, raw = tokens.issue_push_token(
        actor=world.security_admin, name="财政一体化系统", user=world.data_provider
    )
    assert raw.startswith("rdb_") and len(raw) > 40
    assert token.token_hash == tokens.hash_token(raw) and raw not in token.token_hash
    assert tokens.find_push_token(raw) == token
    assert AuditEvent.objects.filter(action="budget.token_issue", target_id=str(token.pk)).exists()


def test_only_the_security_administrator_issues_and_revokes(world):
    with pytest.raises(PermissionDenied):
        tokens.issue_push_token(actor=world.staff, name="x", user=world.data_provider)
    token, _ = tokens.issue_push_token(
        actor=world.security_admin, name="x", user=world.data_provider
    )
    with pytest.raises(PermissionDenied):
        tokens.revoke_push_token(actor=world.system_admin, token=token)


def test_a_token_goes_only_to_an_active_data_provider_account(world):
    with pytest.raises(ValidationError):
        tokens.issue_push_token(actor=world.security_admin, name="x", user=world.staff)


def test_the_page_issues_and_revokes(world, client_for):
    client = client_for("security_admin")
    response = client.post(
        reverse("budget:tokens"),
        {"name": "税务系统", "user": world.data_provider.pk, "kinds": ["revenue"]},
    )
    assert response.status_code == 200
    token = PushToken.objects.get(name="税务系统")
    assert token.kinds == ["revenue"]
    assert response.context["issued"].startswith("rdb_")
    response = client.post(reverse("budget:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == world.security_admin


def test_a_bad_issue_form_says_what_is_wrong(world, client_for):
    response = client_for("security_admin").post(reverse("budget:tokens"), {"name": "", "user": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] and not PushToken.objects.exists()
