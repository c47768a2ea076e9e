from __future__ import annotations

from typing import Any

from django.urls import reverse

from renda.core import notifications
from renda.core.models import Notification


def test_it_shows_unread_count_and_messages(world: Any, client_for: Any) -> None:
    notifications.notify(actor=None, recipients=[world.deputy], title="代表活动通知")
    response = client_for("deputy").get(reverse("core:inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "代表活动通知" in html and 'data-testid="unread-count">1<' in html


def test_it_marks_one_message_read(world: Any, client_for: Any) -> None:
    first, second = notifications.notify(
        actor=None, recipients=[world.deputy, world.deputy], title="两条"
    )
    response = client_for("deputy").post(reverse("core:inbox_mark_read"), {"id": [first.pk]})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_a_user_cannot_mark_someone_elses_message(world: Any, client_for: Any) -> None:
    (theirs,) = notifications.notify(actor=None, recipients=[world.staff], title="别人的")
    client_for("deputy").post(reverse("core:inbox_mark_read"), {"id": [theirs.pk]})
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_public_is_sent_to_log_in(world: Any, client_for: Any) -> None:
    response = client_for("anonymous").get(reverse("core:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_malformed_message_id_is_ignored_not_a_server_error(world: Any, client_for: Any) -> None:
    """Issue 13 item 10: "²".isdigit() is true and int("²") raised; ids go through core.params."""
    first, second = notifications.notify(
        actor=None, recipients=[world.deputy, world.deputy], title="两条"
    )
    client = client_for("deputy")
    for bad in ("²", "99999999999999999999999"):
        response = client.post(reverse("core:inbox_mark_read"), {"id": [bad, first.pk]})
        assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
