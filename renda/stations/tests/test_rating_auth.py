"""Issue 13 item 3: insiders cannot rate as the constituent. The tracking code appears on no
internal page, export, notice or audit row; rating from the public side needs the 评价码 shown
once at submission (stored only as a hash); every rating records how it was authenticated."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from renda.conftest import login
from renda.core.models import AuditEvent, Notification
from renda.stations import services
from renda.stations.models import Opinion

from .factories import CONTENT, make_station, replied_opinion

pytestmark = pytest.mark.django_db


def _codes(opinion: Opinion) -> tuple[str, str]:
    return opinion.tracking_code, opinion.formatted_code


def test_a_handling_officer_who_knows_the_tracking_code_cannot_rate_anonymously(
    world: Any,
) -> None:
    opinion = replied_opinion(world, make_station(world))
    # However the officer learnt the tracking code, an anonymous session with it is not enough.
    anonymous = Client()
    url = reverse("stations:public_rate", args=[opinion.tracking_code])
    for guess in ("", opinion.tracking_code, "ABCDEFGH"):
        response = anonymous.post(url, {"rating": "satisfied", "rating_code": guess})
        assert response.status_code == 200 and "评价码" in response.content.decode()
    opinion.refresh_from_db()
    assert opinion.state == "replied" and opinion.rating == "" and opinion.rating_auth == ""
    # Nor logged in: the station's 回访 button is for station staff only.
    officer = login(Client(), world.handling_officer)
    refused = officer.post(
        reverse("stations:opinion_rate", args=[opinion.pk]), {"rating": "satisfied"}
    )
    assert refused.status_code == 403
    with pytest.raises(ValidationError, match="站点工作人员"):
        services.rate_opinion(actor=world.handling_officer, opinion=opinion, rating="satisfied")
    opinion.refresh_from_db()
    assert opinion.state == "replied"


def test_internal_pages_exports_notices_and_audit_never_show_the_tracking_code(
    world: Any,
) -> None:
    station = make_station(world)
    opinion = replied_opinion(world, station)
    pages = [
        reverse("stations:opinion_list"),
        reverse("stations:opinion_detail", args=[opinion.pk]),
    ]
    for role in ("staff", "sc_member", "handling_officer"):
        client = login(Client(), getattr(world, role))
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            body = response.content.decode()
            assert opinion.number in body
            assert not any(code in body for code in _codes(opinion)), (role, url)
        export = client.get(reverse("stations:opinion_export"))
        sheet = load_workbook(BytesIO(export.content)).active
        cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
        assert "查询码" not in cells and opinion.number in cells
        assert not any(code in cell for cell in cells for code in _codes(opinion))
    for text in Notification.objects.values_list("title", "body"):
        assert not any(code in " ".join(text) for code in _codes(opinion))
    for row in AuditEvent.objects.values_list("target_repr", flat=True):
        assert not any(code in row for code in _codes(opinion))


def test_the_rating_code_is_shown_once_and_stored_only_as_a_hash(world: Any) -> None:
    client = Client()
    url = reverse("stations:public_opinion")
    token = services.new_form_token()
    client.get(url)
    response = client.post(url, {"category": "transport", "content": CONTENT, "form_token": token})
    assert response.status_code == 302
    first = client.get(response["Location"]).content.decode()
    assert 'data-testid="rating-code"' in first
    start = first.index('data-testid="rating-code">') + len('data-testid="rating-code">')
    shown = first[start : first.index("<", start)]
    assert len(shown.replace("-", "")) == 8
    opinion = Opinion.objects.get()
    assert shown.replace("-", "") not in opinion.rating_code_hash
    assert opinion.rating_code_hash.startswith("hmac_sm3$")
    # Never again: not on a reload, not for the same form posted twice.
    assert 'data-testid="rating-code"' not in client.get(response["Location"]).content.decode()
    again = client.post(url, {"category": "transport", "content": CONTENT, "form_token": token})
    assert 'data-testid="rating-code"' not in client.get(again["Location"]).content.decode()
    # With it the constituent rates; the rating says how it was authenticated.
    services.assign_opinion(actor=None, opinion=opinion, unit=world.department)
    services.reply_opinion(actor=None, opinion=opinion, reply="已安排维修路灯。", reply_class="A")
    rated = Client().post(
        reverse("stations:public_rate", args=[opinion.tracking_code]),
        {"rating": "satisfied", "rating_code": shown.lower()},
    )
    assert rated.status_code == 302
    opinion.refresh_from_db()
    assert (opinion.state, opinion.rating_auth) == ("closed", "rating_code")
    event = AuditEvent.objects.get(action="opinion.rate")
    assert event.details == {"rating": "satisfied", "auth": "rating_code"}


def test_a_callback_recorded_by_station_staff_says_so(world: Any) -> None:
    opinion = replied_opinion(world, make_station(world))
    client = login(Client(), world.staff)
    response = client.post(
        reverse("stations:opinion_rate", args=[opinion.pk]),
        {"rating": "basic", "expected_state": "replied"},
    )
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert (opinion.rating, opinion.rating_auth) == ("basic", "staff_on_behalf")
    event = AuditEvent.objects.get(action="opinion.rate")
    assert event.details["auth"] == "staff_on_behalf" and event.actor_id == world.staff.pk


def test_wrong_rating_codes_count_against_the_lookup_limit(world: Any) -> None:
    opinion = replied_opinion(world, make_station(world))
    client = Client(REMOTE_ADDR="10.0.0.77")
    url = reverse("stations:public_rate", args=[opinion.tracking_code])
    with override_settings(STATIONS_TRACK_LIMIT=3):
        for _ in range(3):
            client.post(url, {"rating": "satisfied", "rating_code": "WRONG234"})
        blocked = client.post(url, {"rating": "satisfied", "rating_code": opinion.rating_code})
    assert blocked.status_code == 429
    opinion.refresh_from_db()
    assert opinion.state == "replied"


def test_a_reception_hands_both_codes_over_once(world: Any) -> None:
    station = make_station(world)
    reception = services.record_reception(
        actor=world.staff,
        station=station,
        matter=CONTENT,
        category="construction",
        as_opinion=True,
    )
    opinion = reception.opinion
    assert len(opinion.rating_code) == 8
    stored = Opinion.objects.get(pk=opinion.pk)
    assert stored.rating_code == "" and stored.rating_code_hash
    assert services.rating_code_matches(stored, opinion.rating_code)
