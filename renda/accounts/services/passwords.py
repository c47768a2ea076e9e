"""Password history: an account may not return to any of its last five passwords."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from ..models import PasswordHistory, User

HISTORY_SIZE = 5
REUSE_MESSAGE = f"新密码不能与最近 {HISTORY_SIZE} 次使用过的密码相同，请换一个新密码。"


def check_not_reused(user: User, raw_password: str) -> None:
    """Raise a Chinese ValidationError on `new_password1` if `raw_password` is the current
    password or one of the last five."""
    hashes = list(
        PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:HISTORY_SIZE]
    )
    if user.has_usable_password() and user.password:
        hashes.append(user.password)
    if any(check_password(raw_password, encoded) for encoded in hashes):
        raise ValidationError({"new_password1": REUSE_MESSAGE})


def remember(user: User) -> None:
    """Keep the hash the account has just been given; forget all but the last five."""
    if not user.has_usable_password():
        return
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[:HISTORY_SIZE]
    PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()
