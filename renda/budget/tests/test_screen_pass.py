"""Display passes for the meeting-room big screen: they open the big screen and its feed
without a session, nothing else, and die with time, tampering or the issuer's rights."""

from __future__ import annotations

import re

import pytest
from django.core import signing
from django.test import Client

from renda.budget.services import screen
from renda.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def issued_link(client_for) -> str:
    page = client_for("sc_member").post("/budget/bigscreen/pass/").content.decode()
    match = re.search(r'value="(http[^"]+)"', page)
    assert match, page
    return match.group(1).replace("&amp;", "&").replace("http://testserver", "")


def test_a_pass_opens_the_big_screen_and_its_feed_without_logging_in(world, client_for):
    link = issued_link(client_for)
    assert AuditEvent.objects.filter(action="budget.bigscreen_pass", actor=world.sc_member).exists()
    anonymous = Client()
    assert anonymous.get(link).status_code == 200
    token = link.split("pass=", 1)[1].split("&", 1)[0]
    assert anonymous.get(f"/budget/bigscreen/data.json?pass={token}").status_code == 200
    # Nothing else opens with it.
    assert anonymous.get(f"/budget/dashboard/?pass={token}").status_code == 302
    assert anonymous.get(f"/budget/alerts/?pass={token}").status_code == 302


def test_a_tampered_or_expired_pass_is_refused(world, client_for, monkeypatch):
    link = issued_link(client_for)
    token = link.split("pass=", 1)[1].split("&", 1)[0]
    anonymous = Client()
    assert anonymous.get(f"/budget/bigscreen/?pass={token[:-2]}xx").status_code == 403
    monkeypatch.setattr(screen, "PASS_HOURS", 0)
    assert screen.screen_pass_user(token) is None
    assert anonymous.get(f"/budget/bigscreen/?pass={token}").status_code == 403
    # Without a pass the public is sent to log in.
    assert anonymous.get("/budget/bigscreen/").status_code == 302


def test_the_pass_dies_with_the_issuers_rights(world, client_for):
    link = issued_link(client_for)
    world.sc_member.is_active = False
    world.sc_member.save(update_fields=["is_active"])
    assert Client().get(link).status_code == 403


def test_only_readers_issue_passes(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        screen.issue_screen_pass(actor=world.data_provider)
    forged = signing.TimestampSigner(salt="another-salt").sign(str(world.staff.pk))
    assert screen.screen_pass_user(forged) is None
