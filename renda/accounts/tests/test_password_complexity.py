"""Password complexity (等保 身份鉴别 a): at least 8 characters from at least 3 of the 4
classes, checked on the password change page with Chinese messages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from renda.accounts.validators import ComplexityValidator
from renda.conftest import PASSWORD
from renda.core.models import AuditEvent


def change(client: Any, new: str, old: str = PASSWORD, again: str | None = None) -> Any:
    return client.post(
        reverse("accounts:password_change"),
        {
            "old_password": old,
            "new_password1": new,
            "new_password2": new if again is None else again,
        },
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!xyz", "密码至少需要 8 个字符。"),
        ("abcdefgh12", "密码须包含大写字母、小写字母、数字、符号中的至少 3 类。"),
        ("ABCDEFGH!!", "密码须包含大写字母、小写字母、数字、符号中的至少 3 类。"),
        ("renda-test-2026!", None),  # 3 classes: lower, digit, symbol → accepted
    ],
)
def test_the_validator_counts_character_classes(password: str, message: str | None) -> None:
    validator = ComplexityValidator(min_length=8, min_classes=3)
    if message is None:
        validator.validate(password)
        return
    with pytest.raises(ValidationError) as error:
        validator.validate(password)
    assert error.value.messages == [message]


def test_it_rejects_a_short_password_with_a_chinese_message(world: Any, client_for: Any) -> None:
    response = change(client_for("deputy"), "Ab1!xyz")
    assert response.status_code == 200
    assert "密码至少需要 8 个字符。" in response.content.decode()
    world.deputy.refresh_from_db()
    assert world.deputy.check_password(PASSWORD)


def test_it_rejects_a_password_with_two_classes(world: Any, client_for: Any) -> None:
    html = change(client_for("staff"), "lengshuijiang2026").content.decode()
    assert "密码须包含大写字母、小写字母、数字、符号中的至少 3 类。" in html
    world.staff.refresh_from_db()
    assert world.staff.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_it_rejects_the_current_password_as_the_new_one(world: Any, client_for: Any) -> None:
    html = change(client_for("deputy"), PASSWORD).content.decode()
    assert "新密码不能与当前密码相同。" in html


def test_it_rejects_a_wrong_current_password(world: Any, client_for: Any) -> None:
    html = change(client_for("deputy"), "Xinmima-2026!", old="Wrong-Pass-1").content.decode()
    assert "旧密码不正确" in html
    world.deputy.refresh_from_db()
    assert world.deputy.check_password(PASSWORD)


def test_it_rejects_two_different_entries(world: Any, client_for: Any) -> None:
    html = change(client_for("deputy"), "Xinmima-2026!", again="Xinmima-2027!").content.decode()
    assert "输入的两个密码不一致。" in html


def test_it_shows_the_policy_next_to_the_field(world: Any, client_for: Any) -> None:
    html = client_for("deputy").get(reverse("accounts:password_change")).content.decode()
    assert "至少 8 个字符，包含大写字母、小写字母、数字、符号中的至少 3 类。" in html


def test_it_accepts_a_complex_password_and_records_the_change(world: Any, client_for: Any) -> None:
    client = client_for("staff")
    response = change(client, "Xinmima-2026!")
    assert response.status_code == 302 and response["Location"] == reverse("core:workbench")
    world.staff.refresh_from_db()
    assert world.staff.check_password("Xinmima-2026!")
    assert world.staff.password_changed_at is not None
    assert AuditEvent.objects.filter(action="user.password_change", actor=world.staff).exists()
    # Still logged in (and still past the second factor) after the change.
    assert client.get(reverse("core:workbench")).status_code == 200
