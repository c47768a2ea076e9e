"""Account changes that need a second person (三员分立, issue 13 item 2).

The system administrator may ask to open an account, to re-activate one, or to change its role
or mobile number (the channel its credentials are sent to); the security administrator approves
or rejects the request, and only an approval applies it. No administrator ever sees another
account's password: an initial or reset password is sent by SMS to the account's own mobile
number and must be changed at first log in."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from renda.core import audit, notifications

from ..models import AccountRequest, User
from ..permissions import can_manage_security
from . import passwords

Kind = AccountRequest.Kind
Status = AccountRequest.Status


def submit(
    *, actor: User, user: User, kind: str, role: str, mobile: str = "", mobile_changed: bool = False
) -> AccountRequest:
    """A pending request (called by the system administrator's services)."""
    if AccountRequest.objects.filter(user=user, status=Status.PENDING).exists():
        raise ValidationError("该账号已有一项待安全管理员审批的申请，请等审批后再提交。")
    request = AccountRequest.objects.create(
        user=user,
        kind=kind,
        role=role,
        mobile=mobile if mobile_changed else "",
        mobile_changed=mobile_changed,
        requested_by=actor,
    )
    audit.record(
        actor=actor,
        action="account_request.submit",
        target=user,
        details={"request": request.pk, "kind": kind, "role": role, "mobile": mobile_changed},
    )
    return request


def send_credential(*, actor: User | None, user: User, password: str, reason: str) -> None:
    """Send `password` to the account's own mobile number, after the commit. Neither the text
    nor the password is written to the inbox or the audit log."""
    if not user.mobile:
        raise ValidationError("该账号没有登记手机号，无法以短信把口令发给本人；请先登记手机号。")
    text = (
        f"【智慧人大】您的账号 {user.username} {reason}，口令：{password}。"
        "首次登录须修改口令；请勿告知他人，工作人员不会向您索要口令。"
    )
    mobile = user.mobile
    transaction.on_commit(lambda: notifications.sms_backend().send(mobile=mobile, text=text))
    audit.record(
        actor=actor, action="user.credential_sent", target=user, details={"channel": "sms"}
    )


def _pending(actor: User, request: AccountRequest) -> AccountRequest:
    if not can_manage_security(actor):
        raise PermissionDenied("只有安全管理员可以审批账号申请。")
    locked = AccountRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != Status.PENDING:
        raise ValidationError("该申请已经审批过了。")
    if locked.requested_by_id == actor.pk or locked.user_id == actor.pk:
        raise ValidationError("不能审批自己提交的或关于自己账号的申请。")
    return locked


def _apply_create(actor: User, user: User, role: str) -> None:
    from .accounts import generate_password

    password = generate_password()
    user.role = role
    user.is_active = True
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save(
        update_fields=[
            "role",
            "is_active",
            "password",
            "must_change_password",
            "password_changed_at",
        ]
    )
    passwords.remember(user)
    audit.record(actor=actor, action="user.activate", target=user, details={"approved": True})
    send_credential(actor=actor, user=user, password=password, reason="已开通")


def _apply_change(actor: User, user: User, request: AccountRequest) -> None:
    from .accounts import _check_identity as check_identity

    changed = []
    if request.role != user.role:
        user.role = request.role
        changed.append("role")
    if request.mobile_changed:
        user.mobile = request.mobile
        changed.append("mobile")
    check_identity(user)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        actor=actor,
        action="user.update",
        target=user,
        details={"changed": changed, "approved": True},
    )


@transaction.atomic
def approve_request(*, actor: User, request: AccountRequest) -> AccountRequest:
    locked = _pending(actor, request)
    user = User.objects.select_for_update().get(pk=locked.user_id)
    if locked.kind == Kind.CREATE:
        _apply_create(actor, user, locked.role)
    elif locked.kind == Kind.ACTIVATE:
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record(actor=actor, action="user.activate", target=user, details={"approved": True})
    else:
        _apply_change(actor, user, locked)
    locked.status = Status.APPROVED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        action="account_request.approve",
        target=user,
        details={"request": locked.pk, "kind": locked.kind},
    )
    return locked


@transaction.atomic
def reject_request(*, actor: User, request: AccountRequest, reason: str = "") -> AccountRequest:
    locked = _pending(actor, request)
    locked.status = Status.REJECTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.reason = reason.strip()[:200]
    locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit.record(
        actor=actor,
        action="account_request.reject",
        target=locked.user,
        details={"request": locked.pk, "kind": locked.kind},
    )
    return locked
