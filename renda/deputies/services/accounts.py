"""A deputy's log-in account, opened from the deputy's record in one step: the account is
created through accounts' services with the role deputy and linked to the record at once. The
initial password goes by SMS to the deputy's own mobile number (core.notifications) and is
never shown to the member of staff who opened the account: nobody learns another person's
credential."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from renda.accounts.models import User
from renda.accounts.services import create_user, generate_password
from renda.core import audit, notifications
from renda.core.roles import Role

from ..models import Deputy


def account_username(deputy: Deputy) -> str:
    """A log-in name for the deputy: rd + the record's number, never a mobile number."""
    base = f"rd{deputy.pk:06d}"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _check(actor: User, deputy: Deputy) -> None:
    if getattr(actor, "role", None) != Role.STAFF:
        raise PermissionDenied("只有人大机关工作人员可以为代表开通账号。")
    if deputy.user_id is not None:
        raise ValidationError("该代表已关联登录账号。")
    if deputy.status == Deputy.Status.ENDED:
        raise ValidationError("该代表资格已终止，不能开通账号。")
    if not deputy.mobile.strip():
        raise ValidationError(
            "该代表没有登记手机号：初始口令要以短信直接发给代表本人，请先在档案中登记手机号。"
        )


@transaction.atomic
def create_deputy_account(*, actor: User, deputy: Deputy) -> User:
    """Open the deputy's account (role deputy, must change the password at first log in),
    link it to the record and text the initial password to the deputy's mobile after the
    commit. Audited as deputy.account_create (without the password)."""
    locked = Deputy.objects.select_for_update().get(pk=deputy.pk)
    _check(actor, locked)
    password = generate_password()
    user = create_user(
        actor=actor,
        username=account_username(locked),
        name=locked.name,
        role=Role.DEPUTY,
        password=password,
        mobile=locked.mobile,
        must_change_password=True,
    )
    Deputy.objects.filter(pk=locked.pk).update(user=user)
    deputy.user = user
    text = (
        f"【智慧人大】{locked.name}代表，您的履职账号 {user.username} 已开通，初始口令：{password}。"
        "首次登录须修改口令；请勿告知他人，工作人员不会向您索要口令。"
    )
    mobile = locked.mobile
    transaction.on_commit(lambda: notifications.sms_backend().send(mobile=mobile, text=text))
    audit.record(
        actor=actor,
        action="deputy.account_create",
        target=locked,
        details={"user": user.pk, "username": user.username, "credential": "sms"},
    )
    return user
